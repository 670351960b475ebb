"""`merge`: another archive (a shard: one machine's `scrape --shard K/N`) brought into this one.

The shard is only read: through a read-only connection, or, when it is at an older schema
version, through a migrated copy in a temporary folder. What is carried, and how:

  articles      by (source, number), one transaction each: a new one as it is; one the archive
                has, when it is the same story (StoryRules.same_story, the scrape's rule), as
                versions of it: the newer is current (the one the other's history has left
                behind, else the later fetched_at), the other goes to revisions; the same content
                is unchanged. A number that names another story in the archive is a collision:
                the shard's is kept under a number of its own (StoryRules.renumbered), and said.
  revisions     the shard's, each unless the archive holds a version with its content hash
  article_urls  every URL the shard reached an article by, unless the archive knows that URL
  pages, article_pages  raw pages by their SHA-256 (never twice); the current version's page is linked,
                with where it is in a WARC file (an import's, or a scrape's --warc)
  failures      unless the archive has the URL's article; the same URL's attempts joined, not added
  runs, run_sources  by the run's uid (schema version 9), ledger columns (10) and all, with new row ids in this archive
  warc_imports  how far each WARC file's import got: the further of the shard's and the archive's
  not carried   frontier, http_cache, robots: one machine's crawl state, valid for its own archive
                (what its next run resumes, the validators of pages it walked), not for this one

Merging the same shard again finds everything held and writes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Protocol

from scraper.archive import CONTENT_FIELDS, Archive, _article, _row_record, content_hash
from scraper.archive.lean import sqlite_utils
from scraper.archive.queries import instant
from scraper.archive.schema import LEDGER_COLUMNS, SCHEMA_VERSION, migrate
from scraper.errors import ScraperError
from scraper.models import Article

COLLISIONS = 3  # numbers tried for one article (its own, then derived ones), as a scrape does
_INSERT_REVISION = (
    "insert into revisions (source, number, replaced_at, content_hash, changed, record) values (?, ?, ?, ?, ?, ?)"
)
_ADD_PAGE = "insert or ignore into pages (sha256, encoding, size, content) values (?, ?, ?, ?)"
_LINK_PAGE = (
    "insert or replace into article_pages (source, number, sha256, url, content_type, timezone, fetched_at, "
    "warc_file, warc_offset, warc_length, warc_record_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class ShardError(ScraperError):
    """A shard that cannot be merged: not an archive, damaged, or from a newer scraper."""


class _Collides(Exception):
    """One article whose number, and the numbers derived for it, name other stories."""


class StoryRules(Protocol):
    """The scrape's rules for whether a row may take a newcomer (scraper.pipeline.owners)."""

    def same_story(self, old: Article, new: Article, served: str) -> bool: ...
    def renumbered(self, old: Article, new: Article, served: str) -> Article: ...
    def refused(self, old: Article, new: Article) -> str | None: ...


@dataclass
class MergeCounts:
    new: int = 0  # articles the archive did not have
    updated: int = 0  # articles whose current version is now the shard's
    unchanged: int = 0  # articles whose current version stays
    revisions: int = 0  # versions added to revisions
    collisions: int = 0  # shard articles kept under a number of their own
    refused: int = 0  # shard versions much shorter than the archive's: kept as revisions, not current
    failed: int = 0  # shard articles not merged (their number collides with too many stories)
    urls: int = 0
    pages: int = 0  # raw pages (distinct contents) added
    failures: int = 0  # failure rows added or joined
    runs: int = 0  # runs added

    def __iadd__(self, other: MergeCounts) -> MergeCounts:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def changed(self) -> bool:
        return any(value for name, value in self.as_dict().items() if name != "unchanged")

    def summary(self) -> str:
        text = f"new {self.new}, updated {self.updated}, unchanged {self.unchanged}, revisions {self.revisions}"
        extra = [f"{name} {getattr(self, name)}" for name in ("collisions", "refused", "failed") if getattr(self, name)]
        return ", ".join([text, *extra])


# -- the shard, read only -------------------------------------------------------------------


@contextmanager
def open_shard(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the shard at the current schema version: the file itself, or a
    migrated copy of it in a temporary folder (removed afterwards). The file is never written."""
    path = Path(path)
    check_file(path)
    conn = _read_only(path)
    try:
        version = _version(path, conn)
        if version > SCHEMA_VERSION:
            raise ShardError(
                f"{path}: archive schema version {version} is newer than this scraper ({SCHEMA_VERSION}); "
                "upgrade scraper"
            )
        if version == SCHEMA_VERSION:
            yield conn
            return
        with tempfile.TemporaryDirectory(prefix="scraper-merge-") as folder:
            copy = Path(folder) / path.name
            with _shard_errors(path):
                target = sqlite3.connect(copy)
                conn.backup(target)
                target.close()
            db = sqlite_utils.Database(copy)
            try:
                migrate(db)
            except sqlite3.DatabaseError as error:
                raise ShardError(f"{path}: cannot migrate a copy from schema version {version}: {error}") from None
            finally:
                db.close()
            migrated = _read_only(copy)
            try:
                yield migrated
            finally:
                migrated.close()
    finally:
        conn.close()


def check_file(path: str | Path) -> None:
    """That `path` is an SQLite file at all (before its lock file is made beside it)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            header = file.read(16)
    except FileNotFoundError:
        raise ShardError(f"{path}: no such file") from None
    except OSError as error:
        raise ShardError(f"{path}: cannot be read: {error.strerror}") from None
    if header != b"SQLite format 3\x00":
        raise ShardError(f"{path}: not an SQLite database, so not a scraper archive")


def _read_only(path: Path) -> sqlite3.Connection:
    """Read only, and leaving nothing beside the file: with no -wal file (a run that ended
    cleanly folds it into the database), as an immutable file (under its lock no run writes it)."""
    logs = [path.with_name(f"{path.name}{suffix}") for suffix in ("-wal", "-journal")]
    flags = "mode=ro" if any(log.exists() for log in logs) else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _version(path: Path, conn: sqlite3.Connection) -> int:
    with _shard_errors(path):
        tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
        if "articles" not in tables or "schema_version" not in tables:
            raise ShardError(f"{path}: not a scraper archive (no articles or schema_version table)")
        return int(conn.execute("select max(version) from schema_version").fetchone()[0] or 0)


@contextmanager
def _shard_errors(path: Path) -> Iterator[None]:
    """SQLite errors of the shard's own connection, as one line that names the shard."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        reason = str(error)
        if reason == "file is not a database":
            raise ShardError(f"{path}: not an SQLite database, so not a scraper archive") from None
        raise ShardError(f"{path}: cannot be read: {reason}") from None


# -- the merge ------------------------------------------------------------------------------


@dataclass
class _Version:
    """One version of an article: what revisions keep of it."""

    content_hash: str
    record: dict[str, object]

    @property
    def fetched_at(self) -> str:
        return str(self.record.get("fetched_at") or "")


@dataclass
class _ShardArticle:
    row: dict[str, object]
    revisions: list[tuple[str, str, str, str]]  # replaced_at, content_hash, changed, record
    urls: list[tuple[str, str]]  # url_key, url
    page: tuple[object, ...] | None  # sha256, url, content_type, timezone, fetched_at, warc_* (where in a WARC)
    article: Article = field(init=False)

    def __post_init__(self) -> None:
        self.article = _article(self.row)

    @property
    def served(self) -> str:
        """Where the page was served (its final URL), else the article's URL."""
        return str(self.page[1]) if self.page and self.page[1] else self.article.url

    def renumbered(self, newcomer: Article) -> _ShardArticle:
        row = {**self.row, "number": newcomer.number, "url": newcomer.url}
        row["extra"] = json.dumps(newcomer.extra, ensure_ascii=False, default=str)
        row["content_hash"] = content_hash(newcomer.to_record())
        return replace(self, row=row)


class Merger:
    """Shards into the archive, one at a time. `note` gets one line per collision or refusal,
    `problem` one per article that cannot be merged, `progress` the counts now and then."""

    def __init__(
        self,
        archive: Archive,
        rules: StoryRules,
        *,
        note: Callable[[str], None] = lambda message: None,
        problem: Callable[[str], None] = lambda message: None,
        progress: Callable[[MergeCounts], None] = lambda counts: None,
    ):
        self.archive = archive
        self.rules = rules
        self.note = note
        self.problem = problem
        self.progress = progress
        self.conn = archive.db.conn
        self.columns = [row[1] for row in self.conn.execute("pragma table_info(articles)")]
        self.path = Path()
        self.shard: sqlite3.Connection | None = None

    def merge(self, path: str | Path) -> MergeCounts:
        """Everything of the shard at `path` that the archive lacks. Errors of the shard are a
        ShardError naming it (what was merged before stays: merging again goes on from there);
        errors of the archive are sqlite3's own."""
        self.path = Path(path)
        counts = MergeCounts()
        with open_shard(self.path) as shard:
            self.shard = shard
            try:
                shard_columns = [row[1] for row in self._read("pragma table_info(articles)")]
                columns = [c for c in self.columns if c in shard_columns]
                last = time.monotonic()
                for each in self._articles(columns):
                    self._merge_article(each, columns, counts)
                    if time.monotonic() - last > 0.2:
                        self.progress(counts)
                        last = time.monotonic()
                counts.pages += self._pages()
                counts.failures += self._failures()
                counts.runs += self._runs()
                self._imports()
            finally:
                self.shard = None
        self.progress(counts)
        return counts

    # -- reading the shard --------------------------------------------------------------------
    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        assert self.shard is not None
        with _shard_errors(self.path):
            return self.shard.execute(sql, params).fetchall()

    def _articles(self, columns: Sequence[str]) -> Iterator[_ShardArticle]:
        assert self.shard is not None
        revisions = (
            "select replaced_at, content_hash, changed, record from revisions where source = ? and number = ? "
            "order by id"
        )
        urls = "select url_key, url from article_urls where source = ? and number = ? order by rowid"
        page = (
            "select sha256, url, content_type, timezone, fetched_at, warc_file, warc_offset, warc_length, "
            "warc_record_id from article_pages where source = ? and number = ?"
        )
        with _shard_errors(self.path):
            cursor = self.shard.execute(f"select {', '.join(columns)} from articles order by rowid")
        while True:
            with _shard_errors(self.path):
                values = cursor.fetchone()
            if values is None:
                return
            row = dict(zip(columns, values, strict=True))
            key = (row["source"], row["number"])
            found = self._read(page, key)
            yield _ShardArticle(
                row,
                [(str(a), str(b), str(c), str(d)) for a, b, c, d in self._read(revisions, key)],
                [(str(a), str(b)) for a, b in self._read(urls, key)],
                found[0] if found else None,
            )

    # -- one article, one transaction --------------------------------------------------------
    def _merge_article(self, each: _ShardArticle, columns: Sequence[str], counts: MergeCounts) -> None:
        try:
            self._merge_one(each, columns, counts)
        except _Collides as error:  # (its transaction rolled back: nothing of it is written)
            counts.failed += 1
            self.problem(str(error))

    def _merge_one(self, each: _ShardArticle, columns: Sequence[str], counts: MergeCounts) -> None:
        shard_keys = [key for key, _ in each.urls]
        with self.archive.writing():
            for _ in range(COLLISIONS):
                old = self._current(each.row["source"], each.row["number"])
                if old is None:
                    self._insert(each, columns, counts)
                    break
                archived = _article(old)
                same = old["content_hash"] == each.row["content_hash"]
                if same or self.rules.same_story(archived, each.article, each.served):
                    self._versions(old, archived, each, columns, counts)
                    break
                newcomer = self.rules.renumbered(archived, each.article, each.served)
                if self._current(newcomer.source, newcomer.number) is None:
                    counts.collisions += 1
                    self.note(
                        f"{self.path}: {newcomer.source}: number {each.article.number} of {each.served} names another "
                        f"story in the archive ({archived.url}); both kept, this one as number {newcomer.number}"
                    )
                each = each.renumbered(newcomer)
            else:
                raise _Collides(f"{self.path}: {each.served}: not merged: its number collides with {COLLISIONS} "
                                "other stories")  # fmt: skip
            self._urls(each, counts)
            self._clear_failures(each.row["source"], each.row["number"], shard_keys)

    def _current(self, source: object, number: object) -> dict[str, object] | None:
        sql = f"select {', '.join(self.columns)} from articles where source = ? and number = ?"
        values = self.conn.execute(sql, (source, number)).fetchone()
        return dict(zip(self.columns, values, strict=True)) if values is not None else None

    def _insert(self, each: _ShardArticle, columns: Sequence[str], counts: MergeCounts) -> None:
        self.conn.execute(
            f"insert into articles ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [each.row[c] for c in columns],
        )
        counts.new += 1
        seen: set[tuple[str, str]] = set()
        for replaced_at, digest, changed, record in each.revisions:
            version = (digest, str(json.loads(record).get("fetched_at")))
            if version not in seen:  # (a shard merged from others holds none twice, but be sure)
                seen.add(version)
                self._add_revision(each.row, replaced_at, digest, changed, record, counts)
        self._keep_page(each, counts, link=True)

    def _versions(
        self,
        old: dict[str, object],
        archived: Article,
        each: _ShardArticle,
        columns: Sequence[str],
        counts: MergeCounts,
    ) -> None:
        """The shard's article and the archive's are one story: which version is current, and
        every version the shard knows that the archive does not (by content hash) into revisions."""
        source, number = old["source"], old["number"]
        held = {
            str(digest)
            for (digest,) in self.conn.execute(
                "select content_hash from revisions where source = ? and number = ?", (source, number)
            )
        }
        held.add(str(old["content_hash"]))
        theirs = str(each.row["content_hash"])
        link = False  # the shard's page becomes the article's only if its version does (or there is none)
        if old["content_hash"] == theirs:
            counts.unchanged += 1
            self._same_content(old, each)
            self._later_capture(old, each)
        elif self._shard_is_newer(old, archived, each, held):
            why = self.rules.refused(archived, each.article)
            if why is not None:
                counts.refused += 1
                counts.unchanged += 1
                self.note(f"{self.path}: {source} {number}: the shard's version is not made current: {why}; "
                          "kept in revisions")  # fmt: skip
                if theirs not in held:
                    self._add_version(each.row, str(old["fetched_at"]), archived, counts)
                    held.add(theirs)
            else:
                counts.updated += 1
                self._add_version(old, str(each.row["fetched_at"]), each.article, counts)
                row = {c: each.row[c] for c in columns if c not in ("source", "number")}
                row["first_seen"] = _earliest(old.get("first_seen"), each.row.get("first_seen"))
                row["last_seen"] = _latest(old.get("last_seen"), each.row.get("last_seen"))
                self.conn.execute(
                    f"update articles set {', '.join(f'{c} = ?' for c in row)} where source = ? and number = ?",
                    [*row.values(), source, number],
                )
                link = True
        else:
            counts.unchanged += 1
            view = each.article.extra.get("variant") and not archived.extra.get("variant")  # never a version
            if theirs not in held and not view:
                self._add_version(each.row, str(old["fetched_at"]), archived, counts)
                held.add(theirs)
        for replaced_at, digest, changed, record in each.revisions:
            if digest not in held:
                held.add(digest)
                self._add_revision(old, replaced_at, digest, changed, record, counts)
        self._keep_page(each, counts, link=link)

    def _shard_is_newer(
        self, old: Mapping[str, object], archived: Article, each: _ShardArticle, held: set[str]
    ) -> bool:
        """Whether the shard's version should be current: a view (print, AMP, mobile) never beats
        the article and always yields to it; then the history (a version the other has replaced
        is older, whatever the clocks say); then the later fetched_at (the content hash breaks a tie)."""
        mine, theirs = bool(archived.extra.get("variant")), bool(each.article.extra.get("variant"))
        if mine != theirs:
            return mine
        behind_here = each.row["content_hash"] in held
        behind_there = old["content_hash"] in {digest for _, digest, _, _ in each.revisions}
        if behind_here != behind_there:
            return behind_there
        ours, new = instant(old["fetched_at"]), instant(each.row["fetched_at"])
        if ours != new:
            return new > ours
        return str(each.row["content_hash"]) > str(old["content_hash"])

    def _same_content(self, old: Mapping[str, object], each: _ShardArticle) -> None:
        """The same version in both: it was fetched when the first of them fetched it."""
        stamps = {
            "fetched_at": min((str(old["fetched_at"]), str(each.row["fetched_at"])), key=lambda s: (instant(s), s)),
            "first_seen": _earliest(old.get("first_seen"), each.row.get("first_seen")),
            "last_seen": _latest(old.get("last_seen"), each.row.get("last_seen")),
        }
        if any(stamps[name] != old.get(name) for name in stamps):
            self.conn.execute(
                "update articles set fetched_at = ?, first_seen = ?, last_seen = ? where source = ? and number = ?",
                [*stamps.values(), old["source"], old["number"]],
            )

    def _later_capture(self, old: Mapping[str, object], each: _ShardArticle) -> None:
        """The same version, captured later in a web archive by the shard: the article's page points
        at that capture (its WARC file, offset, length and record id), as an import of it does."""
        if each.page is None or each.page[5] is None:
            return
        if instant(each.row["fetched_at"]) > instant(old["fetched_at"]):
            self.conn.execute(
                "update article_pages set warc_file = ?, warc_offset = ?, warc_length = ?, warc_record_id = ? "
                "where source = ? and number = ?",
                (*each.page[5:9], old["source"], old["number"]),
            )

    def _add_version(self, row: Mapping[str, object], replaced_at: str, current: Article, counts: MergeCounts) -> None:
        """An article row (the archive's or the shard's) as a revision of `current`, as a scrape keeps one."""
        record = _row_record(row)
        now = current.to_record()
        changed = json.dumps([f for f in CONTENT_FIELDS if record.get(f) != now.get(f)])
        self._add_revision(
            {"source": current.source, "number": current.number}, replaced_at, str(row["content_hash"]), changed,
            json.dumps(record, ensure_ascii=False), counts,
        )  # fmt: skip

    def _add_revision(
        self, row: Mapping[str, object], replaced_at: str, digest: str, changed: str, record: str, counts: MergeCounts
    ) -> None:
        self.conn.execute(_INSERT_REVISION, (row["source"], row["number"], replaced_at, digest, changed, record))
        counts.revisions += 1

    def _keep_page(self, each: _ShardArticle, counts: MergeCounts, *, link: bool) -> None:
        """The shard's raw page of the article, kept once by its SHA-256; it becomes the article's
        page when the shard's version is current (`link`), or when the archive has none for it."""
        if each.page is None:
            return
        digest = each.page[0]
        if self.conn.execute("select 1 from pages where sha256 = ?", (digest,)).fetchone() is None:
            blob = self._read("select sha256, encoding, size, content from pages where sha256 = ?", (digest,))
            if blob:
                self.conn.execute(_ADD_PAGE, blob[0])
                counts.pages += 1
        key = (each.row["source"], each.row["number"])
        has = self.conn.execute("select 1 from article_pages where source = ? and number = ?", key).fetchone()
        if link or has is None:
            self.conn.execute(_LINK_PAGE, (*key, *each.page))

    def _urls(self, each: _ShardArticle, counts: MergeCounts) -> None:
        """The URLs the shard reached the article by, unless the archive knows them already (then
        they stay its article's, as they were)."""
        for key, url in each.urls:
            cursor = self.conn.execute(
                "insert or ignore into article_urls (url_key, url, source, number) values (?, ?, ?, ?)",
                (key, url, each.row["source"], each.row["number"]),
            )
            counts.urls += cursor.rowcount

    def _clear_failures(self, source: object, number: object, keys: Sequence[str]) -> None:
        """An archived article's URLs are no failures (as saving it in a scrape clears them)."""
        self.conn.execute(
            "delete from failures where url_key in (select url_key from article_urls where source = ? and number = ?)",
            (source, number),
        )
        if keys:
            self.conn.execute(f"delete from failures where url_key in ({', '.join('?' * len(keys))})", list(keys))

    # -- what is not an article's --------------------------------------------------------------
    def _pages(self) -> int:
        """Raw pages no article links any more (an updated article's earlier page): a scrape
        keeps them, so a merge does."""
        added = 0
        keys = [str(digest) for (digest,) in self._read("select sha256 from pages")]
        for start in range(0, len(keys), 200):
            batch = keys[start : start + 200]
            marks = ", ".join("?" * len(batch))
            held = {d for (d,) in self.conn.execute(f"select sha256 from pages where sha256 in ({marks})", batch)}
            missing = [d for d in batch if d not in held]
            if not missing:
                continue
            rows = self._read(
                f"select sha256, encoding, size, content from pages where sha256 in ({', '.join('?' * len(missing))})",
                missing,
            )
            with self.archive.writing():
                self.conn.executemany(_ADD_PAGE, rows)
            added += len(rows)
        return added

    def _failures(self) -> int:
        """The shard's failures, but for URLs of articles the archive has. One URL's attempts are
        the most either side counted (merging again must not add them up), its error the later one's."""
        rows = self._read(
            "select url_key, url, source, error, attempts, first_failed, last_failed, kind from failures order by rowid"
        )
        changed = 0
        with self.archive.writing():
            for row in rows:
                key = row[0]
                if self.conn.execute("select 1 from article_urls where url_key = ?", (key,)).fetchone():
                    continue
                before = self.conn.execute("select * from failures where url_key = ?", (key,)).fetchone()
                self.conn.execute(
                    "insert into failures (url_key, url, source, error, attempts, first_failed, last_failed, kind) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?) on conflict(url_key) do update set "
                    "attempts = max(attempts, excluded.attempts), "
                    "first_failed = min(first_failed, excluded.first_failed), "
                    "error = case when excluded.last_failed > last_failed then excluded.error else error end, "
                    "kind = case when excluded.last_failed > last_failed then excluded.kind else kind end, "
                    "last_failed = max(last_failed, excluded.last_failed)",
                    row,
                )
                changed += before != self.conn.execute("select * from failures where url_key = ?", (key,)).fetchone()
        return changed

    def _imports(self) -> None:
        """How far the shard's imports of WARC files got (every record before the offset is in the
        shard, so now in the archive): a later `import` of the same file here goes on from there.
        Of the shard's and the archive's, the further one is kept."""
        rows = self._read("select key, name, offset, records, done, updated from warc_imports")
        with self.archive.writing():
            self.conn.executemany(
                "insert into warc_imports (key, name, offset, records, done, updated) values (?, ?, ?, ?, ?, ?) "
                "on conflict(key) do update set name = excluded.name, offset = excluded.offset, "
                "records = excluded.records, done = excluded.done, updated = excluded.updated "
                "where (excluded.done, excluded.offset) > (warc_imports.done, warc_imports.offset)",
                rows,
            )

    def _runs(self) -> int:
        """The shard's runs that the archive has not got (by uid), under ids of this archive, with
        their sources' rows; a run the archive holds as still running takes the shard's ending."""
        columns = ("command", "started", "ended", "targets", "discovered", "new", "updated", "unchanged", "skipped",
                   "failed", "status", "uid")  # fmt: skip
        names = ("source", "status", "discovered", "new", "updated", "unchanged", "skipped", "failed", *LEDGER_COLUMNS)
        runs = self._read(f"select id, {', '.join(columns)} from runs order by id")
        by_run = self._read(f"select run_id, {', '.join(names)} from run_sources order by run_id, source")
        ids: dict[object, int] = {}
        added = 0
        with self.archive.writing():
            for shard_id, *values in runs:
                row = dict(zip(columns, values, strict=True))
                held = self.conn.execute("select id, status from runs where uid = ?", (row["uid"],)).fetchone()
                if held is None:
                    cursor = self.conn.execute(
                        f"insert into runs ({', '.join(columns)}) values ({', '.join('?' * len(columns))})", values
                    )
                    ids[shard_id] = int(cursor.lastrowid or 0)
                    added += 1
                    continue
                ids[shard_id] = int(held[0])
                if held[1] == "running" and row["status"] != "running":
                    settled = {c: row[c] for c in columns if c not in ("command", "started", "targets", "uid")}
                    self.conn.execute(f"update runs set {', '.join(f'{c} = ?' for c in settled)} where id = ?",
                                      [*settled.values(), held[0]])  # fmt: skip
            for run_id, *values in by_run:
                if run_id in ids:
                    self.conn.execute(
                        f"insert or replace into run_sources (run_id, {', '.join(names)}) "
                        f"values (?, {', '.join('?' * len(names))})",
                        [ids[run_id], *values],
                    )
        return added


def _earliest(a: object, b: object) -> object:
    return min((x for x in (a, b) if x), default=a, key=str)


def _latest(a: object, b: object) -> object:
    return max((x for x in (a, b) if x), default=a, key=str)


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
