"""settings.resolve: every key at every level, built-in defaults < [defaults] < [sources.NAME] <
the command-line flags that were given."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scraper.config import parse_config
from scraper.errors import ConfigError
from scraper.settings import BUILT_IN, Flags, RunSettings, resolve
from scraper.window import Window, parse_bound

URL = "https://news.example/"
# key -> (TOML value for [defaults], TOML value for [sources.x], the value each resolves to)
KEYS: dict[str, tuple[str, str, Any, Any]] = {
    "timezone": ('"Europe/Berlin"', '"Asia/Kabul"', ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kabul")),
    "discovery": ('["sitemap"]', '["listing", "feed"]', ("sitemap",), ("listing", "feed")),
    "delay": ("2.5", "0", 2.5, 0.0),
    "concurrency": ("3", "8", 3, 8),
    "user_agent": ('"team (+https://a.example)"', '"desk (+https://b.example)"', "team (+https://a.example)",
                   "desk (+https://b.example)"),
    "include": ('["/20"]', '["/news/"]', ("/20",), ("/news/",)),
    "exclude": ('["/tag/"]', '["/video/"]', ("/tag/",), ("/video/",)),
    "published_apis": ("false", "true", False, True),  # built in: true (see the test of its own below)
}  # fmt: skip
FLAGS = {"timezone": ZoneInfo("America/St_Johns"), "delay": 0.25, "concurrency": 5, "published_apis": False}


def config(defaults: str = "", source: str = "", extra: str = "") -> Any:
    return parse_config(f"[defaults]\n{defaults}\n[sources.x]\nurl = \"{URL}\"\n{source}\n{extra}")


def value(resolved: Any, key: str) -> Any:
    got = getattr(resolved, key)
    return tuple(p.pattern for p in got) if key in ("include", "exclude") else got


@pytest.mark.parametrize("key", list(KEYS))
def test_each_key_at_each_level(key: str) -> None:
    in_defaults, in_source, from_defaults, from_source = KEYS[key]
    line = f"{key} = {{}}\n"
    assert value(resolve(config(), ("x",), Flags()).sources[0], key) == value(BUILT_IN, key)
    assert value(resolve(config(line.format(in_defaults)), ("x",), Flags()).sources[0], key) == from_defaults
    both = config(line.format(in_defaults), line.format(in_source))
    assert value(resolve(both, ("x",), Flags()).sources[0], key) == from_source
    assert value(resolve(config(source=line.format(in_source)), ("x",), Flags()).sources[0], key) == from_source
    if key in FLAGS:  # a flag that was given beats every level; one not given beats none
        flagged = resolve(both, ("x",), Flags(**{key: FLAGS[key]})).sources[0]
        assert value(flagged, key) == FLAGS[key]


def test_selectors_at_each_level() -> None:
    assert resolve(config(), ("x",), Flags()).sources[0].selectors == {}
    text = f'[defaults.selectors]\ntitle = "h1.t"\n[sources.x]\nurl = "{URL}"\n[sources.x.selectors]\nlede = "p.s"\n'
    assert resolve(parse_config(text), ("x",), Flags()).sources[0].selectors == {"lede": "p.s"}  # the table wins whole
    only_defaults = f'[defaults.selectors]\ntitle = "h1.t"\n[sources.x]\nurl = "{URL}"\n'
    assert resolve(parse_config(only_defaults), ("x",), Flags()).sources[0].selectors == {"title": "h1.t"}


def test_a_target_that_is_not_configured_takes_built_ins_and_flags_only() -> None:
    cfg = config("delay = 5\nconcurrency = 7\n")
    adhoc = resolve(cfg, ("https://other.example/",), Flags()).sources[0]
    assert (adhoc.delay, adhoc.concurrency, adhoc.configured) == (BUILT_IN.delay, BUILT_IN.concurrency, False)
    assert resolve(cfg, ("https://other.example/",), Flags(delay=0)).sources[0].delay == 0
    assert adhoc.url == adhoc.target == "https://other.example/"


def test_no_targets_means_every_configured_source() -> None:
    cfg = parse_config(f'[sources.a]\nurl = "{URL}"\n[sources.b]\nurl = "https://b.example/"\n')
    run = resolve(cfg, (), Flags())
    assert [(s.target, s.url, s.configured) for s in run.sources] == [("a", URL, True), ("b", "https://b.example/", True)]


def test_archive_name() -> None:
    cfg = config()
    assert resolve(cfg, ("x",), Flags()).sources[0].archive_as == "x"
    assert resolve(cfg, ("x",), Flags(source="desk")).sources[0].archive_as == "desk"
    assert resolve(cfg, (URL,), Flags()).sources[0].archive_as is None  # the page's host
    assert resolve(cfg, (URL,), Flags(source="desk")).sources[0].archive_as == "desk"


@pytest.mark.parametrize(
    ("flag", "built_in", "given"), [("retries", 3, 0), ("total_concurrency", 8, 2), ("parallel", 4, 1)]
)
def test_run_wide_keys(flag: str, built_in: int, given: int) -> None:
    assert getattr(resolve(config(), ("x",), Flags()), flag) == built_in == getattr(RunSettings, flag)
    assert getattr(resolve(config(), ("x",), Flags(**{flag: given})), flag) == given


def test_run_wide_flags_pass_through() -> None:
    window = Window(parse_bound("2021-02-01"), None)
    run = resolve(config(), ("x",), Flags(window=window, limit=5, refetch=True, processes=0, ignore_robots=True))
    assert (run.window, run.limit, run.refetch, run.processes, run.obey_robots) == (window, 5, True, 0, False)
    assert not run.incremental and resolve(config(), ("x",), Flags()).incremental


def test_the_fetch_pool_and_the_total_follow_the_busiest_source() -> None:
    cfg = parse_config(f'[sources.a]\nurl = "{URL}"\nconcurrency = 8\n[sources.b]\nurl = "https://b.example/"\n')
    run = resolve(cfg, (), Flags())
    assert (run.workers, run.total) == (16, 8)
    assert resolve(cfg, (), Flags(total_concurrency=2)).total == 8  # never below one source's own
    assert resolve(cfg, ("b",), Flags()).workers == 4


def test_config_keeps_not_set_as_none_and_checks_discovery_names() -> None:
    source = parse_config(f'[sources.x]\nurl = "{URL}"\n').sources["x"]
    assert (source.delay, source.concurrency, source.timezone, source.discovery) == (None, None, None, None)
    with pytest.raises(ConfigError, match=r"scraper.toml:3: unknown discovery 'magic'; use auto, listing"):
        parse_config(f'[sources.x]\nurl = "{URL}"\ndiscovery = ["magic"]\n', methods=("auto", "listing"))
    with pytest.raises(ConfigError, match=r"scraper.toml:2: delay must be a number >= 0"):
        parse_config("[defaults]\ndelay = -1\n")


def test_published_apis_at_each_level() -> None:
    """Built in true; [defaults], the source's table and --strict-robots (published_apis=False) each
    beat the level before; a flag that was not given beats nothing."""
    def resolved(defaults: str = "", source: str = "", flags: Flags | None = None, target: str = "x") -> bool:
        return resolve(config(defaults, source), (target,), flags or Flags()).sources[0].published_apis

    assert BUILT_IN.published_apis is True and resolved() is True
    assert resolved("published_apis = false") is False
    assert resolved(source="published_apis = false") is False
    assert resolved("published_apis = false", "published_apis = true") is True
    assert resolved("published_apis = true", "published_apis = false") is False
    assert resolved(source="published_apis = true", flags=Flags(published_apis=False)) is False
    assert resolved(source="published_apis = false", flags=Flags(published_apis=None)) is False
    assert resolved("published_apis = false", target=URL) is True  # a URL target: built-ins and flags only
    assert resolved(target=URL, flags=Flags(published_apis=False)) is False
    with pytest.raises(ConfigError, match=r"scraper.toml:5: published_apis must be true or false, not 'no'"):
        config(source='published_apis = "no"')
