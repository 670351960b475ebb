#!/usr/bin/env python3
"""Crawl benchmark: `scraper scrape` against a loopback news site with a fixed latency per response,
side by side with Scrapy on the same server in the same run.

    python benchmarks/crawl.py                    # 1,000 articles, 20 ms, C = 2, 4, 8, 3 repetitions (~6 min idle)
    python benchmarks/crawl.py --quick            # 100 articles, 1 repetition (~40 s)
    python benchmarks/crawl.py --no-peer          # scraper only
    python benchmarks/crawl.py --breakdown 4      # also: stage timers of one scraper backfill at C=4
    python benchmarks/crawl.py --profile 4        # also: one scraper backfill at C=4 under `py-spy --gil`
    python benchmarks/crawl.py --articles 300 --latency-ms 100 --repeat 1   # where latency, not CPU, dominates

The site (benchmarks/crawl_site.py) runs in a child process: N WordPress-style article pages of
30-42 KB, N/10 listing pages (`/`, `/page/2/`, ...) linked by rel="next", and a feed; every response
is delayed by --latency-ms; listing pages answer If-None-Match with 304. The server counts requests.

Measured, each --repeat times, median reported (the runs of one repetition are interleaved, so
machine noise falls on all crawlers alike):

(a) backfill: `python -m scraper --db FRESH scrape URL --delay 0 --concurrency C -q --json` as a
    subprocess; wall time (process start to exit) and the server's request count, against
    ideal = latency x requests / C, and the stricter-but-fair ideal
    latency x (sequential requests + article pages / C), sequential = listing pages and robots.txt:
    a listing page's URL comes from the page before, so a crawler that finishes a page's articles
    before it fetches the next page cannot do better.
(b) cron, nothing new: the same command again on the same archive (no --since): requests (expected:
    one conditional GET answered 304) and wall time, also minus the interpreter's start-up
    (`python -c "import scraper.cli"`, measured the same way).
(c) peer: a Scrapy spider that follows the same rel="next" chain and fetches the same article pages
    (CONCURRENT_REQUESTS[_PER_DOMAIN] = C, DOWNLOAD_DELAY = 0, AutoThrottle, robots.txt and cookies
    off), extracting each article's title, as a subprocess (`crawl.py --scrapy-child`).

Before each run the benchmark waits (up to --quiet-wait seconds) for the other processes on the
machine to leave the cores idle, and it reports how many cores they took during each run anyway.
The result is Markdown on stdout; progress goes to stderr. Child CPU time (user+sys) is read from
getrusage(RUSAGE_CHILDREN) around each run; "peak/mean in flight" are the server's own counts of
concurrent requests (mean = busy request-seconds / span from the first request to the last).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from crawl_site import SiteProcess  # noqa: E402


@dataclass
class Run:
    """One crawler process against the site."""

    wall: float
    cpu: float
    requests: int
    kinds: dict[str, int]
    statuses: dict[str, int]
    peak_in_flight: int
    mean_in_flight: float
    articles: int  # articles the crawler reports it got
    inner: float | None  # the crawler's own elapsed time, if it reports one
    ok: bool
    server_cpu: float = 0.0  # the site server's CPU seconds during the run
    others: float = 0.0  # CPU seconds used by every other process on the machine during the run
    note: str = ""

    @property
    def other_cores(self) -> float:
        """Cores' worth of CPU that other processes took while this run went on."""
        return self.others / self.wall if self.wall else 0.0

    @property
    def sequential(self) -> int:
        """Requests that cannot overlap each other: listing pages, robots.txt, feeds, 404s."""
        return self.requests - self.article_pages

    @property
    def article_pages(self) -> int:
        return self.kinds.get("article", 0)


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        values = [getattr(run, attribute) for run in self.runs]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SCRAPER_CONFIG", None)
    env.pop("SCRAPER_DB", None)
    return env


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU (user+sys) seconds of one child process, and its result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def _machine_busy() -> float:
    """CPU seconds all processes have used since boot (/proc/stat), or 0 where there is none."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int | None) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


QUIET = {"wait": 10.0}  # seconds to wait, at most, for other processes to leave the cores before a run
QUIET_CORES = 0.3


def _wait_for_quiet(limit: float) -> None:
    """On a shared machine: wait (up to `limit` seconds) until other processes use less than
    QUIET_CORES of CPU over half a second, so runs start on idle cores."""
    deadline = time.monotonic() + limit
    while True:
        before = _machine_busy()
        time.sleep(0.5)
        if (_machine_busy() - before) / 0.5 < QUIET_CORES or time.monotonic() >= deadline:
            return


def _measure(site: SiteProcess, cmd: list[str], cwd: Path, expect: int) -> Run:
    _wait_for_quiet(QUIET["wait"])
    site.reset()
    busy, server = _machine_busy(), _process_cpu(site.pid)
    wall, cpu, done = _timed(cmd, cwd)
    server_cpu = _process_cpu(site.pid) - server
    others = max(0.0, _machine_busy() - busy - cpu - server_cpu)
    stats = site.stats()
    articles, inner, note = 0, None, ""
    try:
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        articles = int(summary.get("new", summary.get("items", 0)))
        inner = float(summary["seconds"])
    except (IndexError, ValueError, KeyError):
        note = "no JSON summary"
    ok = done.returncode == 0 and articles == expect
    if not ok:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        note = f"exit {done.returncode}, {articles}/{expect} articles {note} {tail}".strip()
        print(f"  !! {' '.join(cmd[:6])}...: {note}", file=sys.stderr)
    return Run(
        wall=wall,
        cpu=cpu,
        requests=int(stats["requests"]),
        kinds=dict(stats["by_kind"]),
        statuses=dict(stats["by_status"]),
        peak_in_flight=int(stats["peak_in_flight"]),
        mean_in_flight=float(stats["mean_in_flight"]),
        articles=articles,
        inner=inner,
        ok=ok,
        server_cpu=server_cpu,
        others=others,
        note=note,
    )


def scraper_cmd(db: Path, url: str, concurrency: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scraper", "--db", str(db), "scrape", url,
            "--delay", "0", "--concurrency", str(concurrency), "-q", "--json", *extra]  # fmt: skip


THREADS_ONLY = "scraper, --processes 0"  # the same crawl parsing in threads only (one core)


def scrapy_cmd(url: str, concurrency: int, out: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--scrapy-child", url, str(concurrency), str(out)]


def startup(cmd: list[str], times: int = 5) -> float:
    _wait_for_quiet(QUIET["wait"])
    return statistics.median(_timed(cmd, ROOT)[0] for _ in range(times))


def have_scrapy() -> str | None:
    try:
        import scrapy
    except ImportError:
        return None
    return scrapy.__version__


# -- the Scrapy child ---------------------------------------------------------------------------
def scrapy_child(url: str, concurrency: int, out: str) -> None:
    """Crawl the site with Scrapy: follow rel="next" from the home page, fetch each post's page,
    yield its title. Prints a JSON summary line (items, seconds) like `scraper --json`."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class ListingSpider(scrapy.Spider):
        name = "listing"
        start_urls = [url]  # noqa: RUF012

        def parse(self, response):  # type: ignore[no-untyped-def]
            for href in response.css("article h2.entry-title a::attr(href)").getall():
                yield response.follow(href, self.parse_article)
            older = response.css('link[rel="next"]::attr(href)').get()
            if older:
                yield response.follow(older, self.parse)

        def parse_article(self, response):  # type: ignore[no-untyped-def]
            yield {"url": response.url, "title": response.css("h1.entry-title::text").get()}

    settings = {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "crawl-benchmark (scrapy)",
        "FEEDS": {out: {"format": "jsonlines", "overwrite": True}},
    }
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ListingSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    items = int(stats.get("item_scraped_count", 0))
    print(json.dumps({"items": items, "seconds": round(time.monotonic() - started, 3)}))


# -- the fetch floor ------------------------------------------------------------------------------
FETCH_FLOOR = "scraper's fetcher alone (no parsing, no archive)"


def fetch_floor_child(url: str, concurrency: int, articles: int) -> None:
    """Every URL the backfill asks for (robots.txt, the listing pages, the articles), through the
    same fetcher layers as `scrape` (robots.txt, throttle, HTTP with retries), C at a time from
    2C threads, with nothing else to do: what fetching alone costs per request on this machine
    and server, the floor under any crawl built on it. Prints a JSON summary line."""
    from concurrent.futures import ThreadPoolExecutor

    from crawl_site import build_site

    from scraper.fetch.stack import FetchStack

    started = time.monotonic()
    fetchers = FetchStack()
    http = fetchers.for_site(url, delay=0, concurrency=concurrency)
    base = url.rstrip("/")
    paths = [path for path, resource in build_site(base, articles).items() if resource.kind in ("listing", "article")]
    with ThreadPoolExecutor(max_workers=2 * concurrency) as pool:
        fetched = sum(1 for page in pool.map(lambda path: http.fetch(base + path), paths) if page.status == 200)
    fetchers.close()
    print(json.dumps({"items": fetched - len(paths) + articles, "seconds": round(time.monotonic() - started, 3)}))


def fetch_floor_cmd(url: str, concurrency: int, articles: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--fetch-floor-child", url, str(concurrency), str(articles)]


# -- profile ----------------------------------------------------------------------------------
RATE = 200
BUCKETS = (
    ("start-up: imports", ("<frozen importlib",)),
    ("parse: scraper/parse (body, boilerplate, dates, metadata)", ("scraper/parse/",)),
    ("discover: listing pages", ("scraper/discover/",)),
    ("archive: SQLite writes and reads", ("scraper/archive", "sqlite_utils", "sqlite3")),
    ("fetch: requests/urllib3/http.client", ("requests/", "urllib3/", "http/client", "scraper/fetch/", "socket")),
    ("charset detection", ("charset_normalizer",)),
)


def profile(site: SiteProcess, concurrency: int, work: Path) -> str:
    """One scraper backfill under py-spy, sampling only the thread that holds the GIL: how busy the GIL
    is (samples / (rate x wall)) and what holds it."""
    spy = shutil.which("py-spy")
    if spy is None:
        return "py-spy is not installed (pip install py-spy): no profile.\n"
    db, raw = work / "profile.db", work / "profile.txt"
    _wait_for_quiet(QUIET["wait"])
    site.reset()
    cmd = [spy, "record", "--gil", "--rate", str(RATE), "--format", "raw", "--threads", "--output", str(raw), "--",
           *scraper_cmd(db, site.url, concurrency)]  # fmt: skip
    wall, _, done = _timed(cmd, ROOT)
    stats = site.stats()
    if done.returncode != 0 or not raw.exists():
        return f"py-spy failed (exit {done.returncode}): {done.stderr.strip()[-400:]}\n"
    by_thread: Counter[str] = Counter()
    by_bucket: Counter[str] = Counter()
    by_leaf: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        thread = frames[0]
        by_thread["worker threads (fetch_*: fetch + parse)" if "fetch_" in thread else "main thread"] += count
        bucket = "other"
        for name, needles in BUCKETS:
            if any(needle in frame for frame in frames[1:] for needle in needles):
                bucket = name
                break
        by_bucket[bucket] += count
        by_leaf[frames[-1]] += count
    if not total:
        return "py-spy recorded no samples.\n"
    lines = [
        f"`py-spy record --gil --rate {RATE}`, scraper backfill at C={concurrency}: wall {wall:.2f} s under the "
        f"profiler, {stats['requests']} requests {stats['by_kind']}, server mean in flight "
        f"{stats['mean_in_flight']}. The GIL was held in {total} of ~{wall * RATE:.0f} sampling ticks: "
        f"**{total / (wall * RATE):.0%} of the wall time**.",
        "",
        "| who holds the GIL | share of GIL samples |",
        "|---|---|",
        *(f"| {name} | {count / total:.0%} |" for name, count in by_thread.most_common()),
        *(f"| {name} | {count / total:.0%} |" for name, count in by_bucket.most_common()),
        "",
        "Top self-time frames (GIL held):",
        "",
        *(f"    {count / total:5.1%}  {frame}" for frame, count in by_leaf.most_common(15)),
    ]
    return "\n".join(lines) + "\n"


# -- breakdown --------------------------------------------------------------------------------
# Methods timed in the scraper child, by thread (main = discovery and archive writes; workers =
# fetch + parse). Missing names are skipped, so the breakdown survives refactoring.
RUN_METHODS = ("_fetch_listing_or_fail", "_plan", "_store_result", "_fetch_and_parse", "_parse")
ARCHIVE_METHODS = ("save", "keep_page", "frontier_done", "frontier_add", "lookup_url", "set_listing_cursor")


def breakdown_child(argv: list[str]) -> None:
    """Run `scraper` in this process with timers around the pipeline's stages; the timings go to
    stderr as one JSON line at exit."""
    import atexit
    import functools
    import threading

    from scraper.archive import Archive
    from scraper.pipeline import run as pipeline

    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def add(label: str, seconds: float) -> None:
        who = "main" if threading.current_thread() is threading.main_thread() else "workers"
        with lock:
            totals[f"{who} {label}"] += seconds
            counts[f"{who} {label}"] += 1

    def timed(cls: type, name: str, label: str) -> None:
        fn = getattr(cls, name, None)
        if fn is None:
            return

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                add(label, time.perf_counter() - started)

        setattr(cls, name, wrapper)

    def timed_iterator(cls: type, name: str, label: str) -> None:
        fn = getattr(cls, name, None)
        if fn is None:
            return

        def timed_items(results: Iterator[object]) -> Iterator[object]:
            while True:
                started = time.perf_counter()
                try:
                    item = next(results)
                except StopIteration:
                    return
                finally:
                    add(label, time.perf_counter() - started)
                yield item

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            return timed_items(iter(fn(*args, **kwargs)))  # called now: it may start work before iteration

        setattr(cls, name, wrapper)

    for name in RUN_METHODS:
        timed(pipeline.Run, name, name)
    timed_iterator(pipeline.Run, "_fetch_all", "waiting for pool results (_fetch_all)")
    for name in ARCHIVE_METHODS:
        inside = name in ("save", "keep_page", "frontier_done")
        timed(Archive, name, f"  archive.{name} (inside _store_result)" if inside else f"archive.{name}")
    started = time.perf_counter()

    @atexit.register
    def report() -> None:
        totals["main thread, whole run"] = time.perf_counter() - started
        data = {key: [round(value, 4), counts[key]] for key, value in totals.items()}
        print("BREAKDOWN " + json.dumps(data), file=sys.stderr)

    from scraper.cli import main as scraper_main

    sys.argv = ["scraper", *argv]
    scraper_main()


def uncontended_costs(articles: int = 200) -> dict[str, float]:
    """Milliseconds per article for the pipeline's CPU work done one at a time in one thread:
    parse_page, packing (hash + gzip) the raw page, the archive writes of a new article."""
    from datetime import UTC, datetime

    from crawl_site import build_site

    from scraper.archive import Archive
    from scraper.archive.crawl import pack_page
    from scraper.models import Page
    from scraper.parse import parse_page

    origin = "http://127.0.0.1:9"
    site = build_site(origin, articles)
    pages = [
        Page(requested_url=origin + path, final_url=origin + path, status=200,
             headers={"content-type": r.content_type}, content=r.body, fetched_at=datetime.now(UTC))
        for path, r in site.items() if r.kind == "article"
    ]  # fmt: skip
    parse_page(pages[0])
    started = time.perf_counter()
    parsed = [parse_page(page) for page in pages]
    parse_ms = (time.perf_counter() - started) / len(pages) * 1000
    started = time.perf_counter()
    packed = [pack_page(page) for page in pages]
    pack_ms = (time.perf_counter() - started) / len(pages) * 1000
    work = Path(tempfile.mkdtemp(prefix="crawl-costs-"))
    try:
        archive = Archive(str(work / "costs.db"))
        spent: Counter[str] = Counter()
        for page, article, pack in zip(pages, parsed, packed, strict=True):
            archive.frontier_add("costs", [(page.requested_url, None)])
            started = time.perf_counter()
            archive.save(article, [page.requested_url], page=page, packed=pack, done=page.requested_url)
            saved = time.perf_counter()
            archive.frontier_done(page.requested_url)
            done = time.perf_counter()
            spent["save (with the page, packed)"] += saved - started
            spent["frontier_done"] += done - saved
        archive.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    costs = {"parse_page": parse_ms, "pack_page (in the fetching thread)": pack_ms}
    costs.update({f"archive.{name}": value / len(pages) * 1000 for name, value in spent.items()})
    return costs


STAGE_ORDER = (
    "_fetch_listing_or_fail", "_links_of", "frontier_add", "lookup_url", "set_listing_cursor", "waiting for pool",
    "_store_result", "archive.save", "archive.keep_page", "archive.frontier_done", "whole run",
    "_fetch_and_parse", "of which _parse", "of which fetching",
)  # fmt: skip


def breakdown(site: SiteProcess, concurrency: int, work: Path, articles: int) -> str:
    """One scraper backfill with stage timers (see breakdown_child), next to the same work done
    uncontended."""
    db = work / "breakdown.db"
    _wait_for_quiet(QUIET["wait"])
    site.reset()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--breakdown-child", "--db", str(db), "scrape", site.url,
           "--delay", "0", "--concurrency", str(concurrency), "-q", "--json"]  # fmt: skip
    wall, cpu, done = _timed(cmd, ROOT)
    stats = site.stats()
    found = [line for line in done.stderr.splitlines() if line.startswith("BREAKDOWN ")]
    if not found:
        return f"breakdown failed (exit {done.returncode}): {done.stderr.strip()[-400:]}\n"
    data: dict[str, list[float]] = json.loads(found[-1].removeprefix("BREAKDOWN "))
    total = data.get("main thread, whole run", [wall, 0])[0]
    lines = [
        f"Stage timers, one scraper backfill at C={concurrency} ({stats['requests']} requests, wall {wall:.2f} s, "
        f"child CPU {cpu:.2f} s, server mean in flight {stats['mean_in_flight']}). Main-thread stages are "
        "wall time on the main thread; worker stages are summed over the pool's threads (including waits for "
        "the GIL).",
        "",
        "| stage | seconds | calls | ms per call | share of main-thread time |",
        "|---|---:|---:|---:|---:|",
    ]
    fetch_parse, parse = data.get("workers _fetch_and_parse"), data.pop("workers _parse", None)
    if fetch_parse and parse:
        data["workers   of which _parse"] = parse
        data["workers   of which fetching (the rest)"] = [fetch_parse[0] - parse[0], fetch_parse[1]]

    def order(item: tuple[str, list[float]]) -> tuple[bool, int, str]:
        key = item[0]
        rank = max((i for i, name in enumerate(STAGE_ORDER) if name in key), default=len(STAGE_ORDER))
        return (not key.startswith("main"), rank, key)

    for key, (seconds, calls) in sorted(data.items(), key=order):
        share = f"{seconds / total:.0%}" if key.startswith("main") else ""
        per = f"{seconds / calls * 1000:.1f}" if calls else ""
        lines.append(f"| {key} | {seconds:.2f} | {calls:.0f} | {per} | {share} |")
    costs = uncontended_costs(min(articles, 200))
    lines += [
        "",
        "The same work one article at a time in one thread (no other threads, no GIL contention):",
        "",
        "| work per article | ms |",
        "|---|---:|",
        *(f"| {name} | {ms:.2f} |" for name, ms in costs.items()),
    ]
    return "\n".join(lines) + "\n"


# -- report -----------------------------------------------------------------------------------
def machine_facts(work: Path) -> list[str]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    fs = "?"
    try:
        best = ""
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, kind, *_ = line.split()
            if str(work).startswith(mount) and len(mount) >= len(best):
                best, fs = mount, kind
    except OSError:
        pass
    from scraper import __version__

    return [
        f"- nproc: {len(os.sched_getaffinity(0))} ({cpu_model or platform.processor() or '?'}); "
        f"load average at start {os.getloadavg()[0]:.2f}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.system()} "
        f"{platform.release()}",
        f"- scraper {__version__} at {_git('rev-parse', '--short', 'HEAD')}"
        f"{' + uncommitted changes' if _git('status', '--porcelain', '--', 'scraper') else ''}; "
        f"Scrapy {have_scrapy() or 'not installed'}",
        f"- archive and Scrapy output in {work} ({fs})",
    ]


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def table(
    results: dict[tuple[str, int], Series], cron: Series, latency: float, articles: int, startup_s: float
) -> list[str]:
    lines = [
        "| crawler | concurrency | articles | requests | wall time s | ideal s | ratio "
        "| strict ideal s | strict ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (crawler, c), series in results.items():
        requests = series.median("requests")
        sequential, pages = series.median("sequential"), series.median("article_pages")
        wall = series.median("wall")
        ideal = latency * requests / c
        strict = latency * (sequential + pages / c)
        got = series.median("articles")
        shown = f"{got:.0f}" if got == articles else f"{got:.0f} of {articles}"
        lines.append(
            f"| {crawler} | {c} | {shown} | {requests:.0f} | {fmt(wall)} | {fmt(ideal)} | {fmt(wall / ideal)}x "
            f"| {fmt(strict)} | {fmt(wall / strict)}x |"
        )
    if cron.runs:
        requests = cron.median("requests")
        wall = cron.median("wall")
        ideal = latency * requests
        net = cron.median("inner")  # the scraper's own timer: after imports, lock and archive open
        lines.append(
            f"| scraper, cron, nothing new | any | 0 | {requests:.0f} | {fmt(wall)} whole process; {fmt(net, 3)} "
            f"in-process (start-up ~{fmt(startup_s)}) | {fmt(ideal, 3)} | {fmt(net / ideal)}x in-process "
            f"| {fmt(ideal, 3)} | {fmt(net / ideal)}x |"
        )
    return lines


def details(results: dict[tuple[str, int], Series], cron: Series) -> list[str]:
    lines = [
        "| crawler | C | wall s | own timer s | child CPU s | CPU / wall | server CPU s | other processes, cores "
        "| server peak in flight | server mean in flight | statuses |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    rows = list(results.items())
    if cron.runs:
        rows.append((("scraper, cron", 0), cron))
    for (crawler, c), series in rows:
        statuses = Counter[str]()
        for run in series.runs:
            statuses.update(run.statuses)
        n = len(series.runs)
        status_text = ", ".join(f"{code}: {count / n:.0f}" for code, count in sorted(statuses.items()))
        wall, cpu = series.median("wall"), series.median("cpu")
        lines.append(
            f"| {crawler} | {c or 'any'} | {fmt(wall)} | {fmt(series.median('inner'))} | {fmt(cpu)} "
            f"| {fmt(cpu / wall)} | {fmt(series.median('server_cpu'))} | {fmt(series.median('other_cores'))} "
            f"| {series.median('peak_in_flight'):.0f} | {fmt(series.median('mean_in_flight'))} "
            f"| {status_text} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--scrapy-child"]:
        scrapy_child(argv[1], int(argv[2]), argv[3])
        return 0
    if argv[:1] == ["--fetch-floor-child"]:
        fetch_floor_child(argv[1], int(argv[2]), int(argv[3]))
        return 0
    if argv[:1] == ["--breakdown-child"]:
        breakdown_child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=None, help="articles on the site (default 1000; quick 100)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added latency per response (default 20)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 4, 8], help="C values (default 2 4 8)")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions, median reported (default 3; quick 1)")
    parser.add_argument("--quick", action="store_true", help="100 articles, one repetition")
    parser.add_argument("--no-peer", action="store_true", help="leave Scrapy out")
    parser.add_argument(
        "--threads-too", action="store_true", help="also run scraper with --processes 0 (parsing in threads)"
    )
    parser.add_argument(
        "--fetch-floor", action="store_true", help="also time scraper's fetcher alone over the same URLs (no parsing)"
    )
    parser.add_argument("--profile", type=int, metavar="C", help="also profile one scraper backfill at C (py-spy)")
    parser.add_argument("--breakdown", type=int, metavar="C", help="also time the stages of one backfill at C")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=QUIET["wait"],
        metavar="S",
        help=f"before each run, wait up to S seconds for idle cores (default {QUIET['wait']:g})",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where archives go (default: the system temp dir)")
    args = parser.parse_args(argv)
    QUIET["wait"] = args.quiet_wait
    articles = args.articles or (100 if args.quick else 1000)
    repeat = args.repeat or (1 if args.quick else 3)
    latency = args.latency_ms / 1000
    peer = None if args.no_peer else have_scrapy()
    if not args.no_peer and peer is None:
        print("Scrapy is not installed (pip install -r benchmarks/requirements.txt): peer left out", file=sys.stderr)

    work = Path(tempfile.mkdtemp(prefix="crawl-bench-", dir=args.tmp))
    results: dict[tuple[str, int], Series] = {("scraper", c): Series() for c in args.concurrency}
    if args.threads_too:
        results.update({(THREADS_ONLY, c): Series() for c in args.concurrency})
    if args.fetch_floor:
        results.update({(FETCH_FLOOR, c): Series() for c in args.concurrency})
    if peer:
        results.update({(f"Scrapy {peer}", c): Series() for c in args.concurrency})
    cron = Series()
    facts = machine_facts(work)
    try:
        print(f"building and serving {articles} articles, {args.latency_ms:g} ms per response ...", file=sys.stderr)
        with SiteProcess(articles, latency) as site:
            bare_s = startup([sys.executable, "-c", "pass"])
            cli_s = startup([sys.executable, "-c", "import scraper.cli"])
            startup_s = startup([sys.executable, "-c", "import scraper.cli, scraper.pipeline"])
            scrapy_startup = startup([sys.executable, "-c", "import scrapy.crawler"], 3) if peer else None
            for rep in range(repeat):
                for c in args.concurrency:
                    db = work / f"archive-{rep}-{c}.db"
                    run = _measure(site, scraper_cmd(db, site.url, c), ROOT, articles)
                    results[("scraper", c)].runs.append(run)
                    print(f"[{rep + 1}/{repeat}] scraper C={c}: {run.wall:.2f} s, {run.requests} requests, "
                          f"CPU {run.cpu:.2f} s, others {run.other_cores:.2f} cores", file=sys.stderr)  # fmt: skip
                    again = _measure(site, scraper_cmd(db, site.url, c), ROOT, 0)
                    cron.runs.append(again)
                    print(f"[{rep + 1}/{repeat}] scraper cron C={c}: {again.wall:.2f} s, {again.requests} requests "
                          f"{again.statuses}", file=sys.stderr)  # fmt: skip
                    for suffix in ("", "-wal", "-shm", ".lock"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    if args.threads_too:
                        run = _measure(site, scraper_cmd(db, site.url, c, "--processes", "0"), ROOT, articles)
                        results[(THREADS_ONLY, c)].runs.append(run)
                        print(f"[{rep + 1}/{repeat}] {THREADS_ONLY} C={c}: {run.wall:.2f} s, CPU {run.cpu:.2f} s",
                              file=sys.stderr)  # fmt: skip
                        for suffix in ("", "-wal", "-shm", ".lock"):
                            Path(f"{db}{suffix}").unlink(missing_ok=True)
                    if args.fetch_floor:
                        run = _measure(site, fetch_floor_cmd(site.url, c, articles), ROOT, articles)
                        results[(FETCH_FLOOR, c)].runs.append(run)
                        print(f"[{rep + 1}/{repeat}] fetcher alone C={c}: {run.wall:.2f} s, {run.requests} requests",
                              file=sys.stderr)  # fmt: skip
                    if peer:
                        out = work / f"scrapy-{rep}-{c}.jsonl"
                        run = _measure(site, scrapy_cmd(site.url, c, out), work, articles)
                        results[(f"Scrapy {peer}", c)].runs.append(run)
                        print(f"[{rep + 1}/{repeat}] Scrapy C={c}: {run.wall:.2f} s, {run.requests} requests, "
                              f"CPU {run.cpu:.2f} s, others {run.other_cores:.2f} cores", file=sys.stderr)  # fmt: skip
                        out.unlink(missing_ok=True)
            profiled = profile(site, args.profile, work) if args.profile else ""
            staged = breakdown(site, args.breakdown, work, articles) if args.breakdown else ""
            site_facts = site.facts
    finally:
        shutil.rmtree(work, ignore_errors=True)

    out = [
        f"### Crawl benchmark: {articles} articles, {args.latency_ms:g} ms per response, median of {repeat}",
        "",
        f"Site: {site_facts.get('listing')} listing pages (10 posts each, rel=next) + {site_facts.get('articles')} "
        f"article pages of {site_facts.get('article_kb_min')}-{site_facts.get('article_kb_max')} KB "
        f"(median {site_facts.get('article_kb_median')} KB), served from a separate process on 127.0.0.1.",
        "Ideal = latency x requests / C; strict ideal = latency x (sequential requests + article pages / C), "
        "sequential = listing pages and robots.txt. "
        "Wall time is the whole process, start-up included. Start-up, median of 5: "
        f'`python -c pass` {bare_s:.2f} s, `python -c "import scraper.cli"` {cli_s:.2f} s, '
        f'`python -c "import scraper.cli, scraper.pipeline"` (what `scrape` imports) {startup_s:.2f} s'
        + (f', `python -c "import scrapy.crawler"` {scrapy_startup:.2f} s' if scrapy_startup else "")
        + '. The cron row\'s "in-process" time is the scraper\'s own `--json` "seconds" (after imports, the '
        "archive lock and opening the archive).",
        "",
        *table(results, cron, latency, articles, startup_s),
        "",
        "Details (medians):",
        "",
        *details(results, cron),
        "",
        "Machine:",
        "",
        *facts,
        f"- load average (1 min) at the end {os.getloadavg()[0]:.2f}: other processes on the machine share the cores",
    ]
    if staged:
        out += ["", "Where the time goes:", "", staged]
    if profiled:
        out += ["", "Profile:", "", profiled]
    print("\n".join(out))
    failed = [run for series in [*results.values(), cron] for run in series.runs if not run.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
