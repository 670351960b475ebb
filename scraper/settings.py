"""Each source's effective settings, resolved once, in one place:

    built-in defaults  <  [defaults]  <  [sources.NAME]  <  command-line flags that were given

"Not given" stays None all the way here (config.py fills in nothing, the CLI's options default to
None), so a flag that was given always wins, a flag that was not never does. Everything after
`resolve` reads only its RunSettings. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from zoneinfo import ZoneInfo

from scraper.config import Config, SourceConfig
from scraper.health import INTEGER_THRESHOLDS, Thresholds
from scraper.shard import Shard
from scraper.window import Window

DEFAULT_WORKERS = 4  # pages fetched and parsed at once, at the least; the throttle caps each host
MAX_LISTING_PAGES = 1000


@dataclass(frozen=True)
class SourceDefaults:
    """The built-in defaults of the keys a source may set."""

    timezone: ZoneInfo | None = None
    discovery: tuple[str, ...] = ("auto",)
    delay: float = 1.0
    concurrency: int = 2
    user_agent: str | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    published_apis: bool = True  # read an API the site publishes past its platform's admin-app Disallow
    selectors: Mapping[str, str] = field(default_factory=dict)
    undated: str | None = None  # "keep" / "skip" articles without a date; None: keep unless a window
    health: Thresholds = field(default_factory=Thresholds)  # when `scraper health` calls the source unhealthy


BUILT_IN = SourceDefaults()
SOURCE_KEYS = tuple(f.name for f in fields(SourceDefaults) if f.name != "health")  # (health: key by key)


@dataclass(frozen=True)
class Flags:
    """The `scrape` command line; None (or False) = not given."""

    timezone: ZoneInfo | None = None
    delay: float | None = None
    concurrency: int | None = None
    source: str | None = None  # archive under this name
    window: Window = field(default_factory=Window)
    limit: int | None = None
    refetch: bool = False
    retries: int | None = None
    total_concurrency: int | None = None
    parallel: int | None = None
    processes: int | None = None  # parser processes: None = one per core for big runs, 0 = none
    ignore_robots: bool = False
    undated: str | None = None  # --undated keep|skip
    published_apis: bool | None = None  # --strict-robots: False
    warc: str | None = None  # --warc DIR
    shard: Shard | None = None  # --shard K/N (SCRAPER_SHARD): only the configured sources in that shard


PER_SOURCE_FLAGS = ("timezone", "delay", "concurrency", "undated", "published_apis")  # the source keys a flag can set


@dataclass(frozen=True)
class SourceSettings:
    """One source of a run, everything decided: where it starts, what it is called, how politely
    and through which discovery methods it is read."""

    target: str  # the TARGET as given, or the configured source's name: the key of its runs and failures
    url: str  # a site URL, a saved site folder or one saved page
    configured: bool = False
    archive_as: str | None = None  # the articles' source name (None: the site's host)
    timezone: ZoneInfo | None = None
    discovery: tuple[str, ...] = BUILT_IN.discovery
    delay: float = BUILT_IN.delay
    concurrency: int = BUILT_IN.concurrency
    user_agent: str | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    published_apis: bool = BUILT_IN.published_apis
    selectors: Mapping[str, str] = field(default_factory=dict)
    undated: str | None = None  # see scraper.window.keeps_undated
    health: Thresholds = BUILT_IN.health

    def wants(self, url: str) -> bool:
        """Whether the include/exclude patterns let this URL through."""
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


@dataclass(frozen=True)
class RunSettings:
    """A whole scrape: its sources and what holds for all of them."""

    sources: tuple[SourceSettings, ...] = ()
    window: Window = field(default_factory=Window)
    limit: int | None = None
    refetch: bool = False
    retries: int = 3
    total_concurrency: int = 8
    parallel: int = 4
    processes: int | None = None
    obey_robots: bool = True
    max_pages: int = MAX_LISTING_PAGES
    warc: str | None = None  # the folder every HTTP exchange is kept in, as WARC files (None: not kept)
    shard: Shard | None = None
    outside_shard: tuple[str, ...] = ()  # configured sources named as TARGETs that are in another shard

    @property
    def incremental(self) -> bool:
        """A cron run: no window and no --refetch, so known pages mean nothing new."""
        return self.window.is_open and not self.refetch

    @property
    def workers(self) -> int:
        """Pages fetched and parsed at once by one source's run: twice the most requests in flight
        any source allows, so parsing never uses up the request slots."""
        most = max((source.concurrency for source in self.sources), default=BUILT_IN.concurrency)
        return max(DEFAULT_WORKERS, 2 * most)

    @property
    def total(self) -> int:
        """Requests in flight across all hosts: never fewer than one source alone may have."""
        most = max((source.concurrency for source in self.sources), default=0)
        return max(self.total_concurrency, most)


def resolve(config: Config, targets: tuple[str, ...], flags: Flags) -> RunSettings:
    """The run's settings: each TARGET (a configured source's name runs that source), or every
    configured source when there are none. With a shard, only the configured sources in it: a
    TARGET given as a URL or path is not a configured source and is never sharded."""
    names = targets or tuple(config.sources)
    outside: tuple[str, ...] = ()
    if flags.shard is not None:
        shard = flags.shard
        outside = tuple(name for name in names if name in config.sources and not shard.holds(name))
        names = tuple(name for name in names if name not in outside)
    sources = tuple(_source(text, config, flags) for text in names)
    return RunSettings(
        sources=sources,
        shard=flags.shard,
        outside_shard=outside if targets else (),
        window=flags.window,
        limit=flags.limit,
        refetch=flags.refetch,
        retries=_first(flags.retries, RunSettings.retries),
        total_concurrency=_first(flags.total_concurrency, RunSettings.total_concurrency),
        parallel=_first(flags.parallel, RunSettings.parallel),
        processes=flags.processes,
        obey_robots=not flags.ignore_robots,
        warc=flags.warc or (str(config.warc) if config.warc is not None else None),
    )


def _source(text: str, config: Config, flags: Flags) -> SourceSettings:
    configured = config.sources.get(text)
    # [defaults] are the defaults of the [sources.NAME] tables, not of a TARGET given as a URL or path
    layers: list[SourceConfig | None] = [config.defaults, configured] if configured is not None else []
    values = {key: _layered(key, layers, flags) for key in SOURCE_KEYS}
    values["health"] = _thresholds(layers)
    if configured is None:
        return SourceSettings(target=text, url=text, archive_as=flags.source, **values)
    url = configured.url or text
    return SourceSettings(target=text, url=url, configured=True, archive_as=flags.source or text, **values)


def _layered(key: str, layers: list[SourceConfig | None], flags: Flags) -> Any:
    value = getattr(BUILT_IN, key)
    for layer in layers:
        given = getattr(layer, key) if layer is not None else None
        if given is not None:
            value = given
    flag = getattr(flags, key) if key in PER_SOURCE_FLAGS else None
    return flag if flag is not None else value


def _thresholds(layers: list[SourceConfig | None]) -> Thresholds:
    """Each threshold from the last layer that sets it ([defaults.health], then the source's)."""
    given: dict[str, float] = {}
    for layer in layers:
        if layer is not None and layer.health:
            given.update(layer.health)
    typed: dict[str, Any] = {key: int(value) if key in INTEGER_THRESHOLDS else value for key, value in given.items()}
    return replace(BUILT_IN.health, **typed)


def _first(value: Any, default: Any) -> Any:
    return default if value is None else value
