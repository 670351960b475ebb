"""The sources file, scraper.toml: one [sources.NAME] table per site. Pure, but for reading the file.

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

    [sources.kabulpost.selectors]   # CSS selectors that override the parser for one field
    lede = "p.td-post-sub-title"

Every problem is one line naming the file, the line and what is wrong (a ConfigError: exit code 2).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scraper.errors import ConfigError
from scraper.urls import is_http_url

DISCOVERY_METHODS = ("auto", "wordpress", "sitemap", "feed", "listing")
SELECTOR_FIELDS = ("title", "date", "body", "category", "number", "lede")
SOURCE_KEYS = ("url", "timezone", "discovery", "delay", "concurrency", "user_agent", "include", "exclude", "selectors")
DEFAULT_DELAY = 1.0
DEFAULT_CONCURRENCY = 2
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class SourceConfig:
    name: str
    url: str
    timezone: ZoneInfo | None = None
    discovery: tuple[str, ...] = ("auto",)
    delay: float = DEFAULT_DELAY
    concurrency: int = DEFAULT_CONCURRENCY
    user_agent: str | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    selectors: Mapping[str, str] = field(default_factory=dict)

    def wants(self, url: str) -> bool:
        """Whether the include/exclude patterns let this URL through."""
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


@dataclass(frozen=True)
class Config:
    path: Path | None
    sources: Mapping[str, SourceConfig]


def find_config(explicit: str | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """--config, then SCRAPER_CONFIG, then ./scraper.toml if it exists."""
    if explicit:
        return Path(explicit)
    if environ.get("SCRAPER_CONFIG"):
        return Path(environ["SCRAPER_CONFIG"])
    default = Path("scraper.toml")
    return default if default.is_file() else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config(None, {})
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path}: cannot read the sources file: {getattr(error, 'strerror', None) or error}"
        ) from None
    return parse_config(text, str(path))


def parse_config(text: str, path: str = "scraper.toml") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigError(f"{path}:{line.group(1) if line else 1}: {message}") from None
    checker = _Checker(text, path)
    unknown = set(data) - {"sources", "defaults"}
    if unknown:
        key = sorted(unknown)[0]
        raise checker.error([key], None, f"unknown table or key {key!r} (expected [sources.NAME] or [defaults])")
    defaults = checker.table(data.get("defaults", {}), ["defaults"])
    if "url" in defaults:
        raise checker.error(["defaults"], "url", "url belongs in a [sources.NAME] table, not [defaults]")
    sources_data = checker.table(data.get("sources", {}), ["sources"])
    sources = {name: checker.source(name, body, defaults) for name, body in sources_data.items()}
    return Config(Path(path), sources)


class _Checker:
    """Validates tables and finds the line of a key for the error message."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path

    def error(self, table: list[str], key: str | None, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line_of(table, key)}: {message}")

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

    def source(self, name: str, body: Any, defaults: Mapping[str, Any]) -> SourceConfig:
        where = ["sources", name]
        if not _NAME.match(name):
            raise self.error(where, None, f"bad source name {name!r}: use letters, digits, '.', '_' and '-'")
        body = {**defaults, **self.table(body, where)}
        for key in body:
            if key not in SOURCE_KEYS:
                raise self.error(where, key, f"unknown key {key!r} in [sources.{name}]")
        if "url" not in body:
            raise self.error(where, None, f"[sources.{name}] has no url")
        return SourceConfig(
            name=name,
            url=self.url(body["url"], where),
            timezone=self.zone(body.get("timezone"), where),
            discovery=self.discovery(body.get("discovery", ["auto"]), where),
            delay=self.number(body.get("delay", DEFAULT_DELAY), where, "delay", minimum=0.0),
            concurrency=int(self.number(body.get("concurrency", DEFAULT_CONCURRENCY), where, "concurrency", minimum=1)),
            user_agent=self.string(body.get("user_agent"), where, "user_agent"),
            include=self.patterns(body.get("include", []), where, "include"),
            exclude=self.patterns(body.get("exclude", []), where, "exclude"),
            selectors=self.selectors(body.get("selectors", {}), where),
        )

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
            if method not in DISCOVERY_METHODS:
                raise self.error(
                    where, "discovery", f"unknown discovery {method!r}; use {', '.join(DISCOVERY_METHODS)}"
                )
        return tuple(value)

    def number(self, value: Any, where: list[str], key: str, *, minimum: float) -> float:
        integer = key == "concurrency"
        kind = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
            noun = "an integer" if integer else "a number"
            raise self.error(where, key, f"{key} must be {noun} >= {minimum:g}, not {value!r}")
        return float(value)

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
