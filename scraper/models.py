"""Plain data passed between the steps: Page (fetch -> parse) and Article (parse -> archive -> export).

Standard library only. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

# The record's fields, in the order of JSON keys and CSV columns.
FIELDS: tuple[str, ...] = (
    "source",
    "number",
    "url",
    "title",
    "lede",
    "body",
    "published",
    "modified",
    "category",
    "categories",
    "tags",
    "author",
    "authors",
    "language",
    "image",
    "fetched_at",
)


@dataclass(frozen=True)
class Page:
    """One downloaded (or read from disk) page, exactly as received.

    `headers` keys are lower-case. `content` is the raw body bytes, already
    de-compressed from any Content-Encoding. `text` decodes it (HTTP charset,
    then <meta charset>, then detection).
    """

    requested_url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    fetched_at: datetime
    record: RecordRef | None = None  # where the exchange it came from is kept in a web archive (WARC)

    @property
    def text(self) -> str:
        from scraper.encoding import decode_html

        return decode_html(self.content, self.headers.get("content-type"))


@dataclass(frozen=True)
class RecordRef:
    """Where one WARC `response` record is: the file's name (in the WARC folder, or the path it
    was read from), the byte offset of its gzip member (or record) and its length, and its
    WARC-Record-ID (`<urn:uuid:...>`)."""

    file: str
    offset: int
    length: int
    record_id: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "offset": self.offset, "length": self.length, "record_id": self.record_id}


@dataclass(frozen=True)
class ImportProgress:
    """How far the import of one WARC file got: every record before `offset` (the `records`
    first ones) is imported; `done`: all of it."""

    name: str
    offset: int
    records: int
    done: bool = False


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response as they went over the wire, for a web archive (WARC).

    `request_headers` as sent (Host first) and `response_headers` as received, in order, with
    repeats and the server's spelling; `body` as received: before any Content-Encoding is
    decoded (the transfer framing, chunked, taken off by the HTTP client, which
    `transfer_decoded` says). `truncated` is WARC-Truncated's reason when only part of the body
    was read ("length": a size cap or a prefix read; "time": the response's deadline)."""

    url: str
    method: str
    request_target: str  # the request line's target: path and query
    request_headers: tuple[tuple[str, str], ...]
    http_version: str  # "HTTP/1.1"
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes
    started: datetime  # when the request was sent (WARC-Date)
    truncated: str | None = None
    transfer_decoded: bool = False


@dataclass(frozen=True)
class Article:
    """One article in the metadata-plus-body record.

    `published`/`modified` are timezone-aware datetimes carrying the offset the
    site uses (e.g. +04:30), naive datetimes for a wall-clock time shown without
    an offset when the site's zone is not known, or None when the page has none
    (`published_precision` says which). `number` is the
    site's own article number: an int when it is numeric, else a str.
    `body` is paragraphs and subheadings separated by one blank line.

    `authors` is every author, in byline order; `author` is their display form, the names joined
    with ", ". Give either: the other is made from it (`author` alone is split at ", ", which is how
    records made before `authors` existed read back). Both, and they must agree.
    """

    source: str
    number: int | str
    url: str
    title: str
    body: str
    lede: str = ""
    published: datetime | None = None
    modified: datetime | None = None
    category: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    author: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    image: str = ""
    fetched_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.authors:
            authors = tuple(self.authors)
            if self.author and self.author != join_authors(authors):
                raise ValueError(f"author {self.author!r} is not the authors {list(authors)!r} joined with ', '")
            object.__setattr__(self, "authors", authors)
            object.__setattr__(self, "author", join_authors(authors))
        elif self.author:
            object.__setattr__(self, "authors", split_authors(self.author))

    def to_record(self) -> dict[str, object]:
        """The record as JSON-ready plain data, keys in FIELDS order."""
        return {
            "source": self.source,
            "number": self.number,
            "url": self.url,
            "title": self.title,
            "lede": self.lede,
            "body": self.body,
            "published": _iso(self.published),
            "modified": _iso(self.modified),
            "category": self.category,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "author": self.author,
            "authors": list(self.authors),
            "language": self.language,
            "image": self.image,
            "fetched_at": _iso(self.fetched_at),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Article:
        """Inverse of to_record (accepts lists or JSON strings for categories, tags and authors; a
        record without `authors` gets them from `author`)."""
        import json

        def _list(value: object) -> tuple[str, ...]:
            if value is None or value == "":
                return ()
            if isinstance(value, str):
                value = json.loads(value)
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        def _dt(value: object) -> datetime | None:
            return datetime.fromisoformat(str(value)) if value else None

        number = record["number"]
        return cls(
            source=str(record["source"]),
            number=number if isinstance(number, int) else str(number),
            url=str(record.get("url") or ""),
            title=str(record.get("title") or ""),
            lede=str(record.get("lede") or ""),
            body=str(record.get("body") or ""),
            published=_dt(record.get("published")),
            modified=_dt(record.get("modified")),
            category=str(record.get("category") or ""),
            categories=_list(record.get("categories")),
            tags=_list(record.get("tags")),
            author=str(record.get("author") or ""),
            authors=_list(record.get("authors")),
            language=str(record.get("language") or ""),
            image=str(record.get("image") or ""),
            fetched_at=_dt(record.get("fetched_at")),
        )


@dataclass
class Counts:
    discovered: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0

    def add(self, outcome: str) -> None:
        """Count one article by what happened to it ("new", "updated", "unchanged", ...)."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __iadd__(self, other: Counts) -> Counts:
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def summary(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in self.__dict__.items())


# What `extra["published_precision"]` says is known of the publication time (see published_precision).
PRECISIONS = ("time", "date", "local", "none")


def published_precision(article: Article) -> str:
    """How much of the publication time is known: "time" (an instant: date, time of day and offset),
    "date" (the day only; 00:00 stands for it), "local" (a wall-clock date and time without an
    offset: the site's zone is not known), "none" (no date: `published` is None)."""
    if article.published is None:
        return "none"
    if article.extra.get("published_precision") == "date":
        return "date"
    return "local" if article.published.tzinfo is None else "time"


# The fields whose fill rate the ledger keeps, for new and updated articles (see Ledger.article).
FILL_FIELDS: tuple[str, ...] = ("title", "lede", "published", "author", "category", "image")


@dataclass
class Ledger:
    """What one source's run cost and how good its records were, beyond its Counts: the ledger
    row of a source in a run (the archive keeps it; scraper/health.py judges a history of them).

    `requests` and `bytes`: the pages the run asked for and the bytes of their bodies (a retry or
    robots.txt is not one more); `method`: the discovery method that walked the site (None: none
    did: the start page was not modified, or could not be read); `error`: why the source could
    not be read at all (its start page or robots.txt), else None; `not_articles`: pages served in
    place of articles (a bot check, soft 404, login or consent wall, the same text under every
    title), the start page included, and of them `bot_checks`; `robots`: URLs robots.txt refused;
    `stored` new or updated articles, and `filled[f]` how many of them had field f (FILL_FIELDS;
    `published` only with a time of day); `words`: their body lengths in words."""

    requests: int = 0
    bytes: int = 0
    method: str | None = None
    error: str | None = None
    not_articles: int = 0
    bot_checks: int = 0
    robots: int = 0
    stored: int = 0
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FILL_FIELDS, 0))
    words: list[int] = field(default_factory=list)

    def article(self, article: Article) -> None:
        """Count one new or updated article's filled fields and its body's length (cheap: no
        parsing, one split of the body)."""
        self.stored += 1
        filled = self.filled
        filled["title"] += bool(article.title.strip())
        filled["lede"] += bool(article.lede.strip())
        filled["published"] += published_precision(article) in ("time", "local")
        filled["author"] += bool(article.author.strip())
        filled["category"] += bool(article.category.strip())
        filled["image"] += bool(article.image.strip())
        self.words.append(len(article.body.split()))

    def served_instead(self, kind: str) -> None:
        """A page that was no article (pagekind's kind: "bot_check", "soft_404", ..., or "wall")."""
        self.not_articles += 1
        self.bot_checks += kind == "bot_check"

    @property
    def body_words(self) -> int | None:
        """The median body length in words of the stored articles (None: none stored)."""
        return median(self.words)


@dataclass(frozen=True)
class LedgerEntry:
    """One source's ledger row as the archive keeps it: when its run started, its status and
    counts, and the rest of its Ledger (body_words: the median; None when nothing was stored)."""

    source: str
    run_id: int
    started: datetime
    status: str
    counts: Counts
    requests: int = 0
    bytes: int = 0
    method: str | None = None
    error: str | None = None
    not_articles: int = 0
    bot_checks: int = 0
    robots: int = 0
    stored: int = 0
    filled: Mapping[str, int] = field(default_factory=dict)
    body_words: int | None = None
    archive_source: str | None = None  # the name its articles and failures are kept under

    @property
    def reached(self) -> bool:
        """Whether the run could read the source at all (its start page and robots.txt)."""
        return self.error is None


def median(values: Iterable[int]) -> int | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2


def join_authors(names: Iterable[str]) -> str:
    """The display form of a list of authors: "Ann Lee, Bo Chen"."""
    return ", ".join(names)


def split_authors(author: str) -> tuple[str, ...]:
    """The list a display form stands for (names separated by ", "), without empties."""
    return tuple(name.strip() for name in author.split(", ") if name.strip())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Parsed(NamedTuple):
    """An article page, parsed: what a run's fetching threads hand to the thread that stores."""

    page: Page | None  # None: built from API data, with no page of its own
    article: Article
    packed: Any = None  # the archive's compressed copy of the page, made off the storing thread


@dataclass(frozen=True)
class CachedRobots:
    """A robots.txt answer as kept between runs: a 2xx with its text, or a 4xx (no rules)."""

    status: int
    text: str
    checked: float  # time.time() when it was fetched or last revalidated
    fresh_for: float  # seconds after `checked` it may be used without asking
    etag: str | None = None
    last_modified: str | None = None

    def fresh(self, now: float) -> bool:
        return 0 <= now - self.checked < self.fresh_for

    def validators(self) -> dict[str, str]:
        return conditional_headers(self.etag, self.last_modified)


@dataclass(frozen=True)
class PublishedApi:
    """A read-only API a site publishes for any client to read, with a key its own pages print
    (Ghost's Content API: every page carries the key, and the theme's search uses it in the
    reader's browser), under the prefix of the platform's admin app, which the platform's stock
    robots.txt disallows (Ghost writes `Disallow: /ghost/` into every site's). A walk declares it
    (WalkContext.publish); the fetch stack then lets requests under `root` that carry the key
    through a Disallow of `admin` itself and nothing else (fetch/robots.py: not the admin app's
    other paths, not a rule that names the API, not `Disallow: /`), unless the source says
    `published_apis = false`; and lets the walk read `root` when it is on another host than the
    site (Ghost(Pro)'s admin domain). Records stay the site's: only article URLs on it are kept.

        PublishedApi(root="https://news.example/ghost/api/content/", param="key", key="22444f78…",
                     admin="/ghost/", why="the Content API key every page of the site carries")
    """

    root: str  # scheme, host, port and the path every request is under
    param: str  # the query parameter that carries the key
    key: str
    admin: str  # the admin app's prefix, whose Disallow (with or without the slash) is set aside
    why: str  # what the site publishes, for -v

    def within(self, url: str) -> bool:
        """Whether the URL is under `root`: the same scheme, host and port, and a path below root's
        (with no `.` or `..` segment, which could climb out of it)."""
        mine, theirs = urlsplit(self.root), urlsplit(url)
        if _server(mine) != _server(theirs) or _server(theirs) is None:
            return False
        path = unquote(theirs.path)
        if any(segment in (".", "..") for segment in path.split("/")):
            return False
        return path.startswith(unquote(mine.path))

    def covers(self, url: str) -> bool:
        """Whether the URL is under `root` and carries the published key."""
        return self.within(url) and (self.param, self.key) in parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _server(parts: Any) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a split URL, the port filled in; None for a bad port or no host."""
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port) if parts.hostname else None


@dataclass(frozen=True)
class Clearance:
    """What robots.txt says about a PublishedApi: whether the walk may read it, and why (one line
    for -v; "" when robots.txt has nothing to say against it)."""

    open: bool
    why: str = ""


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The request headers that ask "has it changed since?" for a response's validators."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
