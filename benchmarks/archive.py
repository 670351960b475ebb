"""Archive at scale: insert, re-run, exports, search and stats on N synthetic articles (default 200,000).

    python benchmarks/archive.py                       # 200,000 articles, about 12 minutes on 2 cores
    python benchmarks/archive.py --articles 20000 --repeat 1

Every export runs in its own subprocess, timed with a wall clock, its peak RSS read from that child
alone (os.wait4), side by side with the sqlite-utils CLI exporting the same columns of the same table
(the anchor). Each measurement is repeated --repeat times and the median is reported. The result is
a Markdown report on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.archive import Archive, Filters  # noqa: E402
from scraper.models import FIELDS, Article  # noqa: E402

SOURCES = 20
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
CATEGORIES = (
    "Politics", "World", "Business", "Economy", "Sport", "Culture",
    "Science", "Health", "Technology", "Opinion", "Environment", "Education",
)  # fmt: skip
# The sites' own offsets: each source publishes in one zone.
OFFSETS = (4.5, -5, 0, 1, 2, 3, 5.5, 8, 9, -8, 4.5, -3, 0, 1, 10, -4, 7, 5, 3.5, -6)
# Real words for the search benchmark, at ranks from common (in most articles) to rare.
NEWS_RANKS = {"election": 20, "parliament": 150, "ceasefire": 900, "drought": 2500, "earthquake": 5900}
NEWS_WORDS = tuple(NEWS_RANKS)


def _vocabulary(size: int = 6000) -> list[str]:
    """Made-up words, with a few real ones placed at chosen ranks of the Zipf curve (for search)."""
    rng = random.Random(1)
    syllables = ["ka", "bul", "ran", "to", "mi", "ser", "den", "lo", "vak", "ta", "ri", "on", "es", "dar", "gul",
                 "ne", "po", "sa", "ti", "mar", "ha", "zi", "qu", "el", "ba", "shi", "no", "am", "ist"]  # fmt: skip
    made = {rng.choice(syllables) + rng.choice(syllables) + rng.choice(["", *syllables]) for _ in range(size * 2)}
    words = sorted(made - set(NEWS_WORDS))[:size]
    for word, rank in NEWS_RANKS.items():
        words.insert(rank, word)
    return words


WORDS = _vocabulary()


def _word_pool(size: int = 400_000) -> list[str]:
    """A long run of words in a Zipf-like distribution, with sentence breaks, sliced per paragraph."""
    rng = random.Random(2)
    weights = [1 / (rank + 8) for rank in range(len(WORDS))]
    pool = rng.choices(WORDS, weights=weights, k=size)
    for i in range(0, size, rng.randint(9, 22)):
        pool[i] = pool[i] + "."
    return pool


POOL = _word_pool()


def _text(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(POOL) - words)
    return " ".join(POOL[start : start + words])


def make_article(i: int, total: int, version: int = 0) -> Article:
    """Article i of total: deterministic, so a re-run builds exactly the same article again."""
    rng = random.Random(i * 7919 + 17)
    s = i % SOURCES
    source = f"site{s:02d}.example"
    zone = timezone(timedelta(hours=OFFSETS[s]))
    # Spread over two years, in insertion order (as cron runs add them), with jitter.
    published = (START + SPAN * (i / total) + timedelta(minutes=rng.randint(-600, 600))).astimezone(zone)
    published = published.replace(second=0, microsecond=0)
    number: int | str = 10_000 + i // SOURCES * 3 + rng.randint(0, 2) if s != 7 else f"a{i:07d}x"
    size = rng.randint(3000, 8000)
    paragraphs: list[str] = []
    length = 0
    while length < size:
        paragraphs.append(_text(rng, rng.randint(25, 110)))
        length += len(paragraphs[-1]) + 2
    if rng.random() < 0.01:
        paragraphs[0] = "- " + paragraphs[0]  # a dash list at the top: legit text, neutralised in CSV
    if version:
        paragraphs[-1] += f" Updated {version}."
    categories = tuple(dict.fromkeys(rng.choice(CATEGORIES) for _ in range(rng.randint(1, 3))))
    return Article(
        source=source,
        number=number,
        url=f"https://{source}/{published:%Y/%m/%d}/story-{number}/",
        title=_text(rng, rng.randint(6, 12)).rstrip(".").capitalize(),
        lede=_text(rng, rng.randint(18, 35)) if rng.random() < 0.8 else "",
        body="\n\n".join(paragraphs),
        published=published,
        modified=published + timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.3 else None,
        category=categories[0],
        categories=categories,
        tags=tuple(rng.sample(WORDS[:300], rng.randint(0, 5))),
        author=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()}",
        language="en",
        image=f"https://{source}/images/{i}.jpg" if rng.random() < 0.7 else "",
        fetched_at=(published + timedelta(minutes=rng.randint(5, 90))).astimezone(UTC),
    )


# -- loading -----------------------------------------------------------------------------------


def bulk_load(archive: Archive, start: int, stop: int, total: int, batch: int = 2000) -> None:
    """Setup, not a measurement: the same rows as Archive.save writes, 2,000 to a transaction, with the
    full-text index built once at the end (FTS5 'rebuild') instead of row by row by the trigger."""
    from scraper.archive import _row, content_hash
    from scraper.urls import url_key

    db = archive.db
    columns = [c.name for c in db["articles"].columns]
    insert = f"insert into articles ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    (trigger,) = db.execute("select sql from sqlite_master where type = 'trigger' and name = 'articles_ai'").fetchone()
    db.execute("drop trigger articles_ai")
    for first in range(start, stop, batch):
        rows, urls = [], []
        for i in range(first, min(first + batch, stop)):
            article = make_article(i, total)
            record = article.to_record()
            row = _row(record, content_hash(record), article)
            row["first_seen"] = row["last_seen"] = row["fetched_at"]
            rows.append([row.get(c) for c in columns])
            for url in _urls(article):
                urls.append((url_key(url), url, article.source, article.number))
        with db.conn:
            db.conn.executemany(insert, rows)
            db.conn.executemany("insert or replace into article_urls values (?, ?, ?, ?)", urls)
        progress(f"loaded {min(first + batch, stop):,} of {total:,}")
    with db.conn:
        db.execute(trigger)
        db.execute("insert into articles_fts(articles_fts) values('rebuild')")


def _urls(article: Article) -> list[str]:
    return [article.url, f"https://{article.source}/?p={article.number}"]


def save_rate(archive: Archive, articles: list[Article]) -> float:
    """Archive.save, the scrape path (one transaction per article, its URLs remembered): articles/s."""
    begun = time.perf_counter()
    for article in articles:
        archive.save(article, _urls(article))
    return len(articles) / (time.perf_counter() - begun)


# -- measuring -------------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(f"\r[{time.strftime('%H:%M:%S')}] {message}\x1b[K", end="", file=sys.stderr, flush=True)


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    out_mb: float


# A small launcher runs each measured command, so that the peak RSS is the command's own: a child forked
# straight from this (large) process would count this process's pages until its exec.
LAUNCHER = """
import os, subprocess, sys, time
begun = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - begun
os.write(int(sys.argv[1]), f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def run_child(command: list[str], out: Path | None, stdout_to: Path | None = None) -> Sample:
    """Run one command; its wall-clock time and peak RSS (os.wait4 on it alone), and its output size."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    read, write = os.pipe()
    sink = open(stdout_to, "wb") if stdout_to else subprocess.DEVNULL  # noqa: SIM115
    try:
        launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(write), *command], stdout=sink,
                                    stderr=subprocess.PIPE, env=env, pass_fds=(write,))  # fmt: skip
        os.close(write)
        with os.fdopen(read) as result:
            seconds, rss_kib, code = result.read().split()
        errors = launcher.communicate()[1]
    finally:
        if stdout_to:
            sink.close()  # type: ignore[union-attr]
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command)}: exit {code}: {errors.decode()[-500:]}")
    target = out or stdout_to
    size = target.stat().st_size / 1e6 if target and target.is_file() else 0.0
    for path in (out, stdout_to):
        if path and path.is_file():
            path.unlink()
    return Sample(float(seconds), int(rss_kib) / 1024, size)  # ru_maxrss is in KiB on Linux


def median(samples: list[Sample]) -> Sample:
    return Sample(*(statistics.median(getattr(s, f) for s in samples) for f in ("seconds", "rss_mb", "out_mb")))


def scraper_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "scraper", "--db", str(db), *args]


def anchor_command(db: Path, fmt: str) -> list[str]:
    columns = [arg for field in FIELDS for arg in ("-c", field)]
    flag = {"csv": ["--csv"], "jsonl": ["--nl"], "json": []}[fmt]
    return [shutil.which("sqlite-utils") or "sqlite-utils", "rows", str(db), "articles", *columns, *flag]


class Report(list[str]):
    """The Markdown report, printed as it grows, so that a run cut short still shows what it measured."""

    def append(self, line: str) -> None:
        super().append(line)
        print(line, flush=True)


def fmt_row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200_000, help="archive size (default 200000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each export; the median is reported")
    parser.add_argument("--sample", type=int, default=4000, help="articles per Archive.save measurement")
    parser.add_argument("--workdir", type=Path, help="where the archive goes (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the archive afterwards")
    args = parser.parse_args()
    total, sample = args.articles, min(args.sample, args.articles // 4)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scraper-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "archive.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    began = time.perf_counter()
    report = Report()
    try:
        _run(db, work, total, sample, args.repeat, report)
    finally:
        if not args.keep:
            shutil.rmtree(work) if not args.workdir else [p.unlink() for p in work.glob("archive.db*")]
    print(file=sys.stderr)
    report.append(f"\nTotal benchmark time: {time.perf_counter() - began:.0f} s.")


def _run(db: Path, work: Path, total: int, sample: int, repeat: int, report: Report) -> None:
    import platform
    import sqlite3

    report.append(f"## Archive benchmark: {total:,} articles, {SOURCES} sources\n")
    report.append(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
                  f"median of {repeat} runs per export.\n")  # fmt: skip

    # Writes: Archive.save on an empty archive, a bulk load to total - sample, Archive.save again at that size.
    archive = Archive(db)
    progress("saving the first articles")
    first = [make_article(i, total) for i in range(sample)]
    mean_body = statistics.mean(len(a.body.encode()) for a in first) / 1000
    rate_empty = save_rate(archive, first)
    del first
    progress("bulk loading")
    loading = time.perf_counter()
    bulk_load(archive, sample, total - sample, total)
    load_seconds = time.perf_counter() - loading
    progress("saving the last articles")
    rate_full = save_rate(archive, [make_article(i, total) for i in range(total - sample, total)])
    step = max(1, total // sample)
    progress("re-run: saving articles that did not change")
    rate_unchanged = save_rate(archive, [make_article(i, total) for i in range(0, total, step)])
    progress("saving changed articles")
    rate_updated = save_rate(archive, [make_article(i, total, version=1) for i in range(1, total, step * 5)])
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists()) / 1e6

    report.append("### Writes (Archive.save: one transaction per article, as a scrape does)\n")
    report.append(fmt_row(["operation", "articles", "rate"]))
    report.append(fmt_row(["---", "---:", "---:"]))
    report.append(fmt_row(["insert new articles into an empty archive", f"{sample:,}", f"{rate_empty:,.0f}/s"]))
    report.append(fmt_row([f"insert new articles at {total - sample:,} articles", f"{sample:,}",
                           f"{rate_full:,.0f}/s"]))  # fmt: skip
    report.append(fmt_row(["re-run, nothing changed (unchanged)", f"{len(range(0, total, step)):,}",
                           f"{rate_unchanged:,.0f}/s"]))  # fmt: skip
    report.append(fmt_row(["re-run, article changed (update + revision)", f"{len(range(1, total, step * 5)):,}",
                           f"{rate_updated:,.0f}/s"]))  # fmt: skip
    report.append(f"\nSetup (not a measurement of the scrape path): the other {total - 2 * sample:,} articles were "
                  f"bulk-loaded in {load_seconds:.0f} s. Mean body {mean_body:.1f} KB. "
                  f"Database: **{size:,.0f} MB** ({size * 1e6 / total / 1000:.1f} KB per article, "
                  "FTS index included).\n")  # fmt: skip

    # Full exports, ours against the sqlite-utils CLI, interleaved so that both see the same noise.
    report.append("### Export everything\n")
    report.append(fmt_row(["format", "scraper export", "peak RSS", "sqlite-utils rows", "peak RSS", "time ratio",
                           "output"]))  # fmt: skip
    report.append(fmt_row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]))
    for fmt in ("csv", "json", "jsonl"):
        ours, theirs = [], []
        for r in range(repeat):
            progress(f"export {fmt}, run {r + 1} of {repeat}")
            ours.append(run_child(scraper_command(db, "export", "--format", fmt, "-o", str(work / f"out.{fmt}")),
                                  work / f"out.{fmt}"))  # fmt: skip
            theirs.append(run_child(anchor_command(db, fmt), None, stdout_to=work / f"anchor.{fmt}"))
        a, b = median(ours), median(theirs)
        ratio = f"{a.seconds / b.seconds:.2f}×"
        report.append(fmt_row([fmt, f"{a.seconds:.1f} s", f"{a.rss_mb:.0f} MB", f"{b.seconds:.1f} s",
                               f"{b.rss_mb:.0f} MB", ratio, f"{a.out_mb:,.0f} MB"]))  # fmt: skip
    report.append("\nBoth write the same 15 columns to a file. `scraper export` also orders the rows (published, "
                  "source, number) and neutralises formula cells in CSV; `sqlite-utils rows` writes them in "
                  "table order.\n")  # fmt: skip

    # Filtered exports.
    since = (START + SPAN * 0.9).date().isoformat()
    report.append("### Filtered exports (jsonl unless named)\n")
    report.append(fmt_row(["filter", "time", "peak RSS", "output"]))
    report.append(fmt_row(["---", "---:", "---:", "---:"]))
    for label, extra, name in (
        (f"--since {since} (last 10%)", ["--since", since], "since.jsonl"),
        ("--source site03.example (5%)", ["--source", "site03.example"], "source.jsonl"),
        ("--category Sport", ["--category", "Sport"], "category.jsonl"),
        ("--source site03.example to .csv.gz", ["--source", "site03.example", "--format", "csv"], "source.csv.gz"),
    ):
        samples = []
        for r in range(repeat):
            progress(f"export {label}, run {r + 1} of {repeat}")
            samples.append(run_child(scraper_command(db, "export", *extra, "-o", str(work / name)), work / name))
        m = median(samples)
        report.append(fmt_row([f"`{label}`", f"{m.seconds:.2f} s", f"{m.rss_mb:.0f} MB", f"{m.out_mb:,.1f} MB"]))

    # Search, in process (the query alone), then one CLI run (with interpreter start-up).
    from scraper.archive.search import search

    archive = Archive(db)
    report.append("\n### Full-text search (FTS5, bm25, snippet; 20 results)\n")
    report.append(fmt_row(["query", "matches", "median latency"]))
    report.append(fmt_row(["---", "---:", "---:"]))
    at = POOL.index("election")
    phrase = f'"{POOL[at]} {POOL[at + 1]}"'.replace(".", "")
    queries = ("election", "parliament", "ceasefire", "earthquake", phrase, "drought OR earthquake", "cease*",
               "parliament --source site03.example")  # fmt: skip
    for query in queries:
        text, _, source = query.partition(" --source ")
        filters = Filters(sources=(source,)) if source else None
        count = ("select count(*) from articles_fts join articles on articles.rowid = articles_fts.rowid "
                 "where articles_fts match ? and (? = '' or articles.source = ?)")  # fmt: skip
        matches = archive.db.execute(count, [text, source, source]).fetchone()[0]
        times = []
        for _ in range(7):
            begun = time.perf_counter()
            search(archive.db, text, filters, 20)
            times.append(time.perf_counter() - begun)
        report.append(fmt_row([f"`{query}`", f"{matches:,}", f"{statistics.median(times) * 1000:.0f} ms"]))
    archive.close()
    progress("commands")
    cli_search = median([run_child(scraper_command(db, "search", "ceasefire"), None) for _ in range(repeat)])
    stats = median([run_child(scraper_command(db, "stats"), None) for _ in range(repeat)])
    check = run_child(scraper_command(db, "db", "check", "--quick"), None)
    report.append("\n### Commands, end to end (with interpreter start-up)\n")
    report.append(fmt_row(["command", "time", "peak RSS"]))
    report.append(fmt_row(["---", "---:", "---:"]))
    commands = (("scraper search ceasefire", cli_search), ("scraper stats", stats), ("scraper db check --quick", check))
    for label, m in commands:
        report.append(fmt_row([f"`{label}`", f"{m.seconds:.2f} s", f"{m.rss_mb:.0f} MB"]))


if __name__ == "__main__":
    main()
