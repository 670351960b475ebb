"""robots.txt: which URLs we may fetch, how long to wait between requests, where the sitemaps
are. Pure: the caller fetches `/robots.txt` and hands over the status and text.

    robots = Robots.from_response(status, text, user_agent=USER_AGENT, base_url=robots_url)
    robots.allowed(url) -> bool;  robots.crawl_delay() -> float | None;  robots.sitemaps()
    allowed, skipped = robots.partition(urls)     # report len(skipped)

Matching follows RFC 9309 (and Google), not `urllib.robotparser`, which the standard library
implements with first-match-wins and without wildcards: with it WordPress's own
`Disallow: /wp-admin/` + `Allow: /wp-admin/admin-ajax.php` blocks admin-ajax.php, and SEO-plugin
rules such as `Disallow: /*?replytocom=` never match anything. Here:

- The group for our product token (`scraper` from `scraper/1.2 (+https://…)`, case-insensitive)
  applies, else the `*` group(s), else nothing is disallowed. Groups naming the same agent are
  merged.
- The longest matching rule wins; on a tie Allow wins. `*` matches any run of characters and a
  final `$` anchors the end. Paths are compared percent-decoded, with the query. An empty
  `Disallow:` allows everything. `/robots.txt` itself is always allowed.
- `Crawl-delay` (not in the RFC, but widely used) comes from the chosen group. Any number of
  seconds is read as asked (`inf` and `1e12` too: `delay`); `crawl_delay()` clamps it to
  MAX_CRAWL_DELAY (60 s), the longest scraper waits between two requests to a host. NaN, negative
  and unreadable values are ignored.
- `Sitemap:` lines count wherever they are.
- `set_aside(url, prefix)`: the rules that keep a URL off limits when all of them are a platform's
  own Disallow of its admin app's prefix (`/ghost/`, `/ghost` or `/ghost/*` for the prefix
  `/ghost/`), so that without them it would be allowed; fetch/robots.py uses it, for an API the
  site publishes under that prefix (see PublishedApi in models.py), and nothing else.
- Only the first 500 KiB are read (the RFC's minimum limit; Google's too), up to the last whole
  line: a longer file is parsed from its first part, never ignored.

Status codes (`from_response`), as Google handles them: 2xx parse the file; 4xx except 429 (404,
410, also 401 and 403) mean there are no rules, allow everything; 429, 5xx and no response at all
(status None: a timeout, a refused connection) mean disallow everything for this run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from scraper.urls import url_key

MAX_ROBOTS_CHARS = 500 * 1024
MAX_CRAWL_DELAY = 60.0  # seconds: a host asking for more is scraped at this pace (and told about)
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z_-]*)\s*:\s*(.*?)\s*$")
_TOKEN = re.compile(r"^[A-Za-z_-]+")


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str  # percent-decoded, starts with "/" or "*"

    def matches(self, target: str) -> bool:
        return _compile(self.pattern).match(target) is not None


_PATTERN_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    found = _PATTERN_CACHE.get(pattern)
    if found is None:
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        found = re.compile(regex + ("$" if anchored else ""), re.DOTALL)
        if len(_PATTERN_CACHE) < 4096:
            _PATTERN_CACHE[pattern] = found
    return found


def product_token(user_agent: str) -> str:
    """`scraper` from `scraper/1.2 (+https://…)`: what robots.txt groups name, lower-case."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else user_agent.strip().lower()


@dataclass(frozen=True)
class _Group:
    agents: tuple[str, ...]
    rules: tuple[Rule, ...]
    delay: float | None


def _parse_groups(text: str) -> tuple[list[_Group], list[str]]:
    groups: list[_Group] = []
    sitemaps: list[str] = []
    agents: list[str] = []
    rules: list[Rule] = []
    delay: float | None = None
    in_rules = False

    def close() -> None:
        if agents:
            groups.append(_Group(tuple(agents), tuple(rules), delay))

    if len(text) > MAX_ROBOTS_CHARS:  # the first part, without the line the limit cuts in two
        text = text[:MAX_ROBOTS_CHARS].rpartition("\n")[0]
    for raw in text.lstrip("\ufeff").splitlines():
        match = _LINE.match(raw.split("#", 1)[0])
        if match is None:
            continue
        key, value = match.group(1).lower().replace("_", "-"), match.group(2)
        if key == "sitemap":
            if value:
                sitemaps.append(value)
        elif key in ("user-agent", "useragent"):
            if in_rules:
                close()
                agents, rules, delay, in_rules = [], [], None, False
            agents.append(product_token(value) if value.strip() != "*" else "*")
        elif key in ("allow", "disallow"):
            in_rules = True
            if agents and value:
                path = unquote(value)
                rules.append(Rule(allow=key == "allow", pattern=path if path[:1] in ("/", "*") else "/" + path))
        elif key in ("crawl-delay", "crawldelay"):
            in_rules = True
            seconds = _seconds(value)
            if agents and seconds is not None:
                delay = seconds
    close()
    return groups, sitemaps


def _seconds(value: str) -> float | None:
    """A Crawl-delay value as seconds: any non-negative number, however large (`inf` stays inf);
    None for NaN, a negative number or anything that is not a number."""
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None  # NaN compares false


@dataclass(frozen=True)
class Robots:
    """The rules that apply to one user agent (see the module docstring)."""

    rules: tuple[Rule, ...] = ()
    delay: float | None = None  # the Crawl-delay as asked, possibly over MAX_CRAWL_DELAY or inf
    sitemap_urls: tuple[str, ...] = ()
    disallow_all: bool = False
    named: bool = False  # the rules come from a group that names scraper's product token

    @classmethod
    def parse(cls, text: str, user_agent: str, base_url: str | None = None) -> Robots:
        """The rules of a robots.txt for `user_agent` (a full User-Agent or its product token).
        `base_url` (the robots.txt URL) resolves relative `Sitemap:` URLs."""
        groups, sitemaps = _parse_groups(text)
        token = product_token(user_agent)
        chosen = [g for g in groups if token in g.agents] or [g for g in groups if "*" in g.agents]
        rules = tuple(rule for group in chosen for rule in group.rules)
        delays = [group.delay for group in chosen if group.delay is not None]
        named = any(token in group.agents for group in chosen)
        return cls(rules=rules, delay=delays[0] if delays else None, sitemap_urls=_sitemap_urls(sitemaps, base_url),
                   named=named)  # fmt: skip

    @classmethod
    def allow_everything(cls) -> Robots:
        return cls()

    @classmethod
    def disallow_everything(cls) -> Robots:
        return cls(disallow_all=True)

    @classmethod
    def from_response(cls, status: int | None, text: str, user_agent: str, base_url: str | None = None) -> Robots:
        """The rules for a robots.txt response: see "Status codes" in the module docstring."""
        if status is None or status == 429 or status >= 500:
            return cls.disallow_everything()
        if 400 <= status < 500:
            return cls.allow_everything()
        if 200 <= status < 300:
            return cls.parse(text, user_agent, base_url)
        return cls.allow_everything()  # 1xx/3xx reaching us: redirects were not followed to a file

    def allowed(self, url: str) -> bool:
        """Whether the URL's path and query may be fetched."""
        target = _target(url)
        if target is None:
            return True
        if self.disallow_all:
            return False
        best = _decide(self.rules, target)
        return best is None or best.allow

    def deciding(self, url: str) -> Rule | None:
        """The rule that decides the URL (the longest that matches; on a tie the Allow), or None."""
        target = _target(url)
        return _decide(self.rules, target) if target is not None else None

    def set_aside(self, url: str, prefix: str) -> tuple[Rule, ...] | None:
        """The Disallow rules of `prefix` itself (`/ghost/`, `/ghost`, `/ghost/*`, `/ghost*` for the
        prefix `/ghost/`) that keep `url` off limits, when the URL is allowed without them; None when
        it is allowed anyway, or another rule keeps it off limits too (one that names a longer path,
        such as `/ghost/api/`, or a shorter one, such as `Disallow: /`), or the rules come from a
        group that names scraper (a site's word to scraper itself is always obeyed), or robots.txt
        could not be read."""
        target = _target(url)
        if target is None or self.disallow_all or self.named:
            return None
        best = _decide(self.rules, target)
        if best is None or best.allow:
            return None
        ours = [rule for rule in self.rules if not rule.allow and rule.matches(target) and _is_prefix(rule, prefix)]
        rest = tuple(rule for rule in self.rules if rule not in ours)
        left = _decide(rest, target)
        return tuple(ours) if ours and (left is None or left.allow) else None

    def crawl_delay(self) -> float | None:
        """Seconds to wait between requests, from the chosen group's Crawl-delay (None if none),
        at most MAX_CRAWL_DELAY."""
        return None if self.delay is None else min(self.delay, MAX_CRAWL_DELAY)

    def asks_too_much(self) -> bool:
        """Whether the Crawl-delay asked for is over MAX_CRAWL_DELAY (and so was clamped)."""
        return self.delay is not None and self.delay > MAX_CRAWL_DELAY

    def sitemaps(self) -> tuple[str, ...]:
        return self.sitemap_urls

    def partition(self, urls: Iterable[str]) -> tuple[list[str], list[str]]:
        """(allowed, disallowed) URLs, each in the given order: report len(disallowed)."""
        allowed: list[str] = []
        skipped: list[str] = []
        for url in urls:
            (allowed if self.allowed(url) else skipped).append(url)
        return allowed, skipped


def _target(url: str) -> str | None:
    """The path and query rules are matched against, percent-decoded; None for /robots.txt itself
    (always allowed)."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if path == "/robots.txt":
        return None
    return path + ("?" + unquote(parts.query) if parts.query else "")


def _decide(rules: Iterable[Rule], target: str) -> Rule | None:
    """The longest matching rule; on a tie the Allow."""
    best: Rule | None = None
    for rule in rules:
        if not rule.matches(target):
            continue
        if (
            best is None
            or len(rule.pattern) > len(best.pattern)
            or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
        ):
            best = rule
    return best


def _is_prefix(rule: Rule, prefix: str) -> bool:
    """Whether a rule names `prefix` (`/ghost/`) and nothing else: `/ghost/`, `/ghost`, with or
    without a trailing `*` (which matches the same URLs)."""
    bare = prefix.rstrip("/")
    return bool(bare) and rule.pattern.rstrip("*") in (bare, bare + "/")


def _sitemap_urls(values: list[str], base_url: str | None) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for value in values:
        url = urljoin(base_url, value) if base_url else value
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            found.setdefault(url_key(url), url)
    return tuple(found.values())


def robots_url(origin: str) -> str:
    """`https://host[:port]/robots.txt` for any URL on the site."""
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"
