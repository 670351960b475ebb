"""`scraper merge` at scale: N shard archives totalling --articles synthetic articles (default 100,000
in 4 shards) merged into an empty archive, then merged again (nothing to change), side by side with
a plain SQL copy of the same tables (the anchor: what moving the rows costs, without a decision).

    python benchmarks/merge.py                         # 100,000 articles in 4 shards, about 10 minutes on 2 cores
    python benchmarks/merge.py --articles 10000 --shards 3

The shards are what N machines make: each source (20, benchmarks/archive.py's synthetic articles,
3-8 KB bodies) is in the shard `scrape --shard K/N` gives it (scraper.shard), with its raw page
(an HTML page of the article, gzip-compressed as scrapes keep them), two URLs, a run history (30
runs, each with its sources' rows) and 100 failures, half of them of articles another shard has.
Among the articles, 5% are in a second shard too in a newer version (fetched a day later: an
update and a revision when merged), 2% in a second shard in the same version (the same raw page:
kept once), and 2% carry a revision of their own. Each merge runs in its own process, timed with
a wall clock, its peak RSS read from that process alone (os.wait4). The result is a Markdown
report on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import make_article, progress, run_child  # noqa: E402  (benchmarks/archive.py)

from scraper.archive import Archive, _row, content_hash  # noqa: E402
from scraper.models import FIELDS, Article  # noqa: E402
from scraper.shard import shard_of  # noqa: E402
from scraper.urls import url_key  # noqa: E402

NEWER, SAME, OWN_REVISION = 20, 50, 50  # every 20th article also newer in another shard; every 50th the same; ...
RUNS, FAILURES = 30, 100

# The anchor: the same tables copied by SQL alone, every shard attached in turn (no decision per article).
COPY = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for shard in sys.argv[2:]:
    db.execute("attach database ? as s", (shard,))
    with db:
        for table in ("articles", "revisions", "article_urls", "pages", "article_pages", "failures"):
            columns = ", ".join(row[1] for row in db.execute(f"pragma s.table_info({table})")
                                if not (table == "revisions" and row[1] == "id"))
            db.execute(f"insert or ignore into main.{table} ({columns}) select {columns} from s.{table}")
    db.execute("detach database s")
"""


def page_of(article: Article) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in article.body.split("\n\n"))
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{article.title}</title></head><body><article>"
        f"<h1>{article.title}</h1><p class='lede'>{article.lede}</p>{body}</article></body></html>"
    ).encode()


class ShardWriter:
    """One shard archive, written in bulk (setup, not a measurement): the rows Archive.save writes,
    with the full-text index built once at the end."""

    def __init__(self, path: Path):
        self.archive = Archive(path)
        self.db = self.archive.db
        self.columns = [c.name for c in self.db["articles"].columns]
        (self.trigger,) = self.db.execute(
            "select sql from sqlite_master where type = 'trigger' and name = 'articles_ai'"
        ).fetchone()
        self.db.execute("drop trigger articles_ai")
        self.count = 0

    def add(self, article: Article, earlier: Article | None = None) -> None:
        record = article.to_record()
        row = _row(record, content_hash(record), article)
        row["first_seen"] = row["last_seen"] = row["fetched_at"]
        conn = self.db.conn
        conn.execute(
            f"insert into articles ({', '.join(self.columns)}) values ({', '.join('?' * len(self.columns))})",
            [row.get(c) for c in self.columns],
        )
        for url in (article.url, f"https://{article.source}/?p={article.number}"):
            conn.execute("insert or replace into article_urls values (?, ?, ?, ?)",
                         (url_key(url), url, article.source, article.number))  # fmt: skip
        content = page_of(article)
        digest = hashlib.sha256(content).hexdigest()
        conn.execute("insert or ignore into pages values (?, 'gzip', ?, ?)",
                     (digest, len(content), gzip.compress(content, compresslevel=1, mtime=0)))  # fmt: skip
        conn.execute(
            "insert into article_pages values (?, ?, ?, ?, 'text/html; charset=utf-8', null, ?)",
            (article.source, article.number, digest, article.url, row["fetched_at"]),
        )
        if earlier is not None:
            old = earlier.to_record()
            changed = [f for f in FIELDS if old[f] != record[f]]
            conn.execute(
                "insert into revisions (source, number, replaced_at, content_hash, changed, record) "
                "values (?, ?, ?, ?, ?, ?)",
                (article.source, article.number, row["fetched_at"], content_hash(old), json.dumps(changed),
                 json.dumps(old, ensure_ascii=False, default=str)),
            )  # fmt: skip
        self.count += 1
        if self.count % 2000 == 0:
            conn.commit()

    def history(self, sources: list[str], others: list[Article]) -> None:
        """A cron history of RUNS runs, and FAILURES failures: half of URLs no shard has, half of
        articles another shard has archived."""
        for n in range(RUNS):
            run_id = self.archive.start_run("scrape", sources)
            for source in sources:
                self.archive.record_source(run_id, source, {"discovered": n, "new": n % 7}, "ok")
            self.archive.finish_run(run_id, {"discovered": n * len(sources), "new": n}, "ok")
        for n in range(FAILURES):
            url = others[n].url if n % 2 and n < len(others) else f"https://{sources[0]}/gone/{n}/"
            self.archive.record_failure(url, sources[0], "HTTP 500 Internal Server Error")

    def close(self) -> None:
        with self.db.conn:
            self.db.execute(self.trigger)
            self.db.execute("insert into articles_fts(articles_fts) values('rebuild')")
        self.archive.close()


def build(folder: Path, total: int, count: int) -> tuple[list[Path], int]:
    """The shards, and how many article rows they hold in all."""
    paths = [folder / f"shard{k}.db" for k in range(1, count + 1)]
    writers = [ShardWriter(path) for path in paths]
    sources: dict[int, list[str]] = {k: [] for k in range(count)}
    elsewhere: dict[int, list[Article]] = {k: [] for k in range(count)}
    rows = 0
    for i in range(total):
        article = make_article(i, total)
        home = shard_of(article.source, count) - 1
        if article.source not in sources[home]:
            sources[home].append(article.source)
        if i % OWN_REVISION == 1:
            writers[home].add(make_article(i, total, version=2), earlier=article)
        else:
            writers[home].add(article)
        rows += 1
        other = (home + 1) % count
        if count > 1 and i % NEWER == 0:
            newer = make_article(i, total, version=1)
            writers[other].add(Article(**{**newer.__dict__, "fetched_at": article.fetched_at + timedelta(days=1)}))
            rows += 1
        elif count > 1 and i % SAME == 2:
            writers[other].add(article)
            elsewhere[other].append(article)
            rows += 1
        if i % 1000 == 0:
            progress(f"built {i:,} of {total:,} articles")
    for k, writer in enumerate(writers):
        writer.history(sources[k] or ["site00.example"], elsewhere[(k + 1) % count])
        writer.close()
    return paths, rows


def scraper_merge(db: Path, shards: list[Path]) -> list[str]:
    return [sys.executable, "-m", "scraper", "--db", str(db), "merge", "-q", *map(str, shards)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="build the shards here and keep them (else a temporary folder)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="scraper-merge-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        paths, rows = build(folder, args.articles, args.shards)
        sizes = [sum(1 for _ in Archive(p).db.execute("select 1 from articles")) for p in paths]
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        progress("merging into an empty archive")
        main_db = folder / "archive.db"
        first = run_child(scraper_merge(main_db, paths), None)
        progress("merging again")
        again = run_child(scraper_merge(main_db, paths), None)
        merged = Archive(main_db)
        counts = {t: merged.db.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("articles", "revisions", "pages", "runs", "failures")}  # fmt: skip
        merged.close()
        progress("the anchor: a plain SQL copy")
        anchor_db = folder / "anchor.db"
        Archive(anchor_db).close()
        anchor = run_child([sys.executable, "-c", COPY, str(anchor_db), *map(str, paths)], None)
        progress("done")
        print(file=sys.stderr)
        print(f"{args.shards} shards of {', '.join(f'{n:,}' for n in sizes)} article rows ({rows:,} in all, "
              f"{args.articles:,} distinct articles, {megabytes:,.0f} MB); merged: {counts['articles']:,} articles, "
              f"{counts['revisions']:,} revisions, {counts['pages']:,} raw pages, {counts['runs']} runs, "
              f"{counts['failures']} failures\n")  # fmt: skip
        print("| merge | seconds | article rows/s | peak RSS |")
        print("|---|---:|---:|---:|")
        for name, sample in (
            ("`scraper merge` into an empty archive", first),
            ("`scraper merge` again (nothing to change)", again),
            ("plain SQL copy of the same tables (`INSERT OR IGNORE … SELECT`, no decisions)", anchor),
        ):
            print(f"| {name} | {sample.seconds:.1f} | {rows / sample.seconds:,.0f} | {sample.rss_mb:.0f} MB |")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
