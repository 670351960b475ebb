"""The sources file, scraper.toml: one [sources.NAME] table per site. Pure, but for reading the file.

    warc = "warc/"                  # optional: keep every HTTP exchange as WARC files in this folder
                                    # (relative to the sources file's folder; --warc beats it)

    [defaults]                      # optional: the same keys as a source, but url
    delay = 1.0

    [sources.kabulpost]
    url = "https://kabulpost.example/"
    timezone = "Asia/Kabul"
    discovery = ["auto"]            # ordered: auto, wordpress, sitemap, feed, listing
    delay = 1.0                     # seconds between requests to the host
    concurrency = 2                 # requests in flight to the host
    user_agent = "scraper (+https://example.org/contact)"
    include = ["/20\\d\\d/"]        # regular expressions a URL must match (any)
    exclude = ["/tag/", "/video/"]  # ... and must not match
    undated = "keep"                # articles without a date: "keep" or "skip" (default: keep, but
                                    # skip under --since/--until)
    published_apis = true           # false: obey robots.txt for the APIs a site publishes too

    [sources.kabulpost.selectors]   # CSS selectors that override the parser for one field
    lede = "p.td-post-sub-title"

    [sources.kabulpost.health]      # when the source is unhealthy (health.Thresholds; [defaults.health] too)
    no_run_hours = 54               # e.g. a source scraped every other day

Every problem is one line naming the file, the line and what is wrong (a ConfigError: exit code 2).
A key that is not written is None here: the built-in defaults, and which of [defaults], the source's
table and the command line wins, are settings.py's.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scraper.errors import ConfigError
from scraper.health import INTEGER_THRESHOLDS, SHARE_THRESHOLDS, THRESHOLD_KEYS
from scraper.urls import is_http_url
from scraper.window import UNDATED_CHOICES

SELECTOR_FIELDS = ("title", "date", "body", "category", "number", "lede")
SOURCE_KEYS = (
    "url", "timezone", "discovery", "delay", "concurrency", "user_agent", "include", "exclude", "published_apis",
    "selectors", "undated", "health",
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class SourceConfig:
    """One table as written: [sources.NAME], or [defaults] (no url). None: the key is not there."""

    name: str
    url: str | None = None
    timezone: ZoneInfo | None = None
    discovery: tuple[str, ...] | None = None
    delay: float | None = None
    concurrency: int | None = None
    user_agent: str | None = None
    include: tuple[re.Pattern[str], ...] | None = None
    exclude: tuple[re.Pattern[str], ...] | None = None
    published_apis: bool | None = None
    selectors: Mapping[str, str] | None = None
    undated: str | None = None
    health: Mapping[str, float] | None = None  # [sources.NAME.health]: health.Thresholds, as written


@dataclass(frozen=True)
class Config:
    path: Path | None
    sources: Mapping[str, SourceConfig]
    defaults: SourceConfig = field(default_factory=lambda: SourceConfig("defaults"))
    warc: Path | None = None  # the WARC folder, relative paths taken from the sources file's folder


def find_config(explicit: str | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """--config, then SCRAPER_CONFIG, then ./scraper.toml if it exists."""
    if explicit:
        return Path(explicit)
    if environ.get("SCRAPER_CONFIG"):
        return Path(environ["SCRAPER_CONFIG"])
    default = Path("scraper.toml")
    return default if default.is_file() else None


def load_config(path: Path | None, methods: Collection[str] | None = None) -> Config:
    """The sources file at `path` (None: no sources). `methods`: the discovery method names a
    source may list (None: any)."""
    if path is None:
        return Config(None, {})
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path}: cannot read the sources file: {getattr(error, 'strerror', None) or error}"
        ) from None
    return parse_config(text, str(path), methods)


def parse_config(text: str, path: str = "scraper.toml", methods: Collection[str] | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigError(f"{path}:{line.group(1) if line else 1}: {message}") from None
    checker = _Checker(text, path, methods)
    unknown = set(data) - {"sources", "defaults", "warc"}
    if unknown:
        key = sorted(unknown)[0]
        raise checker.error(
            [key], None, f"unknown table or key {key!r} (expected [sources.NAME], [defaults] or warc = \"DIR\")"
        )
    warc = None
    if "warc" in data:
        value = data["warc"]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}:{checker.top_line('warc')}: warc must be a folder, such as \"warc/\"")
        warc = Path(path).parent / Path(value).expanduser()
    defaults_data = checker.table(data.get("defaults", {}), ["defaults"])
    if "url" in defaults_data:
        raise checker.error(["defaults"], "url", "url belongs in a [sources.NAME] table, not [defaults]")
    defaults = checker.keys("defaults", defaults_data, ["defaults"])
    sources_data = checker.table(data.get("sources", {}), ["sources"])
    sources = {name: checker.source(name, body) for name, body in sources_data.items()}
    return Config(Path(path), sources, defaults, warc)


class _Checker:
    """Validates tables and finds the line of a key for the error message."""

    def __init__(self, text: str, path: str, methods: Collection[str] | None = None):
        self.lines = text.splitlines()
        self.path = path
        self.methods = methods

    def error(self, table: list[str], key: str | None, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line_of(table, key)}: {message}")

    def top_line(self, key: str) -> int:
        """The line of a key above every table."""
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for index, line in enumerate(self.lines):
            if re.match(r"^\s*\[", line):
                break
            if key_re.match(line):
                return index + 1
        return 1

    def line_of(self, table: list[str], key: str | None) -> int:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(rf"[\"']?{re.escape(p)}[\"']?" for p in table) + r"\s*\]")
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
        start = next((i for i, line in enumerate(self.lines) if header.match(line)), None)
        if start is None:
            return 1
        if key_re is None:
            return start + 1
        for index in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[index]):
                break
            if key_re.match(self.lines[index]):
                return index + 1
        return start + 1

    def table(self, value: Any, where: list[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(where[:-1], where[-1], f"{'.'.join(where)} must be a table")
        return value

    def source(self, name: str, body: Any) -> SourceConfig:
        where = ["sources", name]
        if not _NAME.match(name):
            raise self.error(where, None, f"bad source name {name!r}: use letters, digits, '.', '_' and '-'")
        body = self.table(body, where)
        checked = self.keys(name, body, where)
        if "url" not in body:
            raise self.error(where, None, f"[sources.{name}] has no url")
        return checked

    def keys(self, name: str, body: Mapping[str, Any], where: list[str]) -> SourceConfig:
        """A table's keys, checked; the ones not written stay None."""
        for key in body:
            if key not in SOURCE_KEYS:
                raise self.error(where, key, f"unknown key {key!r} in [{'.'.join(where)}]")

        def given(key: str, check: Any, *args: Any, **kwargs: Any) -> Any:
            return check(body[key], where, *args, **kwargs) if key in body else None

        concurrency = given("concurrency", self.number, "concurrency", minimum=1)
        return SourceConfig(
            name=name,
            url=given("url", self.url),
            timezone=given("timezone", self.zone),
            discovery=given("discovery", self.discovery),
            delay=given("delay", self.number, "delay", minimum=0.0),
            concurrency=int(concurrency) if concurrency is not None else None,
            user_agent=given("user_agent", self.string, "user_agent"),
            include=given("include", self.patterns, "include"),
            exclude=given("exclude", self.patterns, "exclude"),
            published_apis=given("published_apis", self.boolean, "published_apis"),
            selectors=given("selectors", self.selectors),
            undated=given("undated", self.undated),
            health=given("health", self.health),
        )

    def health(self, value: Any, where: list[str]) -> dict[str, float]:
        """[sources.NAME.health] (or [defaults.health]): thresholds of health.Thresholds."""
        table = self.table(value, [*where, "health"])
        for key, number in table.items():
            place = [*where, "health"]
            if key not in THRESHOLD_KEYS:
                raise self.error(place, key, f"unknown health threshold {key!r}; use {', '.join(THRESHOLD_KEYS)}")
            integer = key in INTEGER_THRESHOLDS
            if isinstance(number, bool) or not isinstance(number, int if integer else (int, float)) or number < 0:
                noun = "an integer" if integer else "a number"
                raise self.error(place, key, f"health {key} must be {noun} >= 0, not {number!r}")
            if key in SHARE_THRESHOLDS and number > 1:
                raise self.error(place, key, f"health {key} is a share: between 0 and 1, not {number!r}")
        return {key: float(number) for key, number in table.items()}

    def undated(self, value: Any, where: list[str]) -> str:
        if value not in UNDATED_CHOICES:
            raise self.error(where, "undated", f'undated must be "keep" or "skip", not {value!r}')
        return str(value)

    def url(self, value: Any, where: list[str]) -> str:
        if not isinstance(value, str) or not is_http_url(value) or "://" not in value or not value.split("://", 1)[1]:
            raise self.error(where, "url", f"url must be an http(s) URL, not {value!r}")
        return value

    def zone(self, value: Any, where: list[str]) -> ZoneInfo | None:
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.error(
                where, "timezone", f"unknown time zone {value!r}; use an IANA name like Asia/Kabul"
            ) from None

    def discovery(self, value: Any, where: list[str]) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.error(where, "discovery", 'discovery must be a list such as ["auto"]')
        for method in value:
            if self.methods is not None and method not in self.methods:
                raise self.error(where, "discovery", f"unknown discovery {method!r}; use {', '.join(self.methods)}")
        return tuple(value)

    def number(self, value: Any, where: list[str], key: str, *, minimum: float) -> float:
        integer = key == "concurrency"
        kind = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
            noun = "an integer" if integer else "a number"
            raise self.error(where, key, f"{key} must be {noun} >= {minimum:g}, not {value!r}")
        return float(value)

    def boolean(self, value: Any, where: list[str], key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(where, key, f"{key} must be true or false, not {value!r}")
        return value

    def string(self, value: Any, where: list[str], key: str) -> str | None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.error(where, key, f"{key} must be a non-empty string")
        return value

    def patterns(self, value: Any, where: list[str], key: str) -> tuple[re.Pattern[str], ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(where, key, f"{key} must be a list of regular expressions")
        compiled = []
        for pattern in value:
            try:
                compiled.append(re.compile(pattern))
            except re.error as error:
                raise self.error(where, key, f"bad regular expression {pattern!r} in {key}: {error}") from None
        return tuple(compiled)

    def selectors(self, value: Any, where: list[str]) -> dict[str, str]:
        table = self.table(value, [*where, "selectors"])
        for key, selector in table.items():
            if key not in SELECTOR_FIELDS:
                raise self.error(
                    [*where, "selectors"], key, f"unknown selector {key!r}; use {'/'.join(SELECTOR_FIELDS)}"
                )
            if not isinstance(selector, str) or not selector.strip():
                raise self.error([*where, "selectors"], key, f"selector {key} must be a non-empty CSS selector")
        return dict(table)
