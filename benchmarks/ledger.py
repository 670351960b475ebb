#!/usr/bin/env python3
"""Ledger benchmark: what keeping the ledger (models.Ledger: requests, bytes, method, pages that were
no articles, each stored article's fields and body length; pipeline/metered.py; the start page's
bot-check test) costs a scrape. The same crawl with the ledger on and off, interleaved, medians.

    python benchmarks/ledger.py                   # 300 articles, 5 repetitions (~2 min idle)
    python benchmarks/ledger.py --articles 1000 --repeat 3

The site is benchmarks/crawl_site.py's (a child process on 127.0.0.1, WordPress-style article
pages of 30-42 KB, listing pages linked by rel="next"), with no added latency, so that any CPU the
ledger costs shows in the wall time too. Each run is `scraper scrape URL --delay 0 -q` in a fresh
process on a fresh archive (a backfill), then the same again (a cron run: the home page, 304), both
timed from process start to exit, CPU from getrusage(RUSAGE_CHILDREN). "Off" runs the same code
with the ledger's three hooks replaced by no-ops (`--child off`: Ledger.article and served_instead
do nothing, the fetcher is not wrapped, the start page is not tested); "on" is scraper as it ships.
Then ("timed", up to 3 times) the ledger on with each hook wrapped and the time spent inside it
summed over the run (the metered fetcher's own part of each fetch, without the fetch it wraps):
the ledger's cost measured in the run itself, against the run's CPU. Also, in this process:
each hook's own cost per call, against parsing one article page.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]


def child(mode: str, argv: list[str]) -> None:
    """Run the command line in this process, with the ledger off if asked, or ("timed") on with
    the time spent inside its hooks summed and printed to stderr at exit."""
    if mode == "timed":
        time_the_hooks()
    if mode == "off":
        from scraper.models import Ledger
        from scraper.pipeline import run

        Ledger.article = lambda self, article: None  # type: ignore[method-assign]
        Ledger.served_instead = lambda self, kind: None  # type: ignore[method-assign]
        run.Metered = lambda inner, ledger: inner  # type: ignore[assignment,misc]
        run.Run._check_start = lambda self, target, page: None  # type: ignore[method-assign]
    from scraper.cli import main

    sys.argv = ["scraper", *argv]
    main()


HOOKS_LINE = "ledger hooks:"


def time_the_hooks() -> None:
    """Wrap each of the ledger's hooks so that the run sums the time spent in them: Ledger.article
    and served_instead, the start page's test, and the metered fetcher's own part of each fetch
    (the time in Metered.fetch less the time in the fetcher it wraps, call by call, on any thread)."""
    import atexit
    import threading

    from scraper.models import Ledger
    from scraper.pipeline import run
    from scraper.pipeline.metered import Metered

    spent = {"seconds": 0.0, "calls": 0}
    lock = threading.Lock()
    inner = threading.local()

    def add(seconds: float) -> None:
        with lock:
            spent["seconds"] += seconds
            spent["calls"] += 1

    def summed(function):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                add(time.perf_counter() - started)

        return wrapper

    class Inner:
        """The wrapped fetcher, its time noted so that the metered fetch's own part is known."""

        def __init__(self, fetcher):  # type: ignore[no-untyped-def]
            self.fetcher = fetcher

        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return self.fetcher.fetch(url, headers)
            finally:
                inner.seconds = time.perf_counter() - started

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.fetcher, name)

    metered_fetch = Metered.fetch

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        inner.seconds = 0.0
        started = time.perf_counter()
        try:
            return metered_fetch(self, url, headers)
        finally:
            add(time.perf_counter() - started - inner.seconds)

    Ledger.article = summed(Ledger.article)  # type: ignore[method-assign]
    Ledger.served_instead = summed(Ledger.served_instead)  # type: ignore[method-assign]
    run.Run._check_start = summed(run.Run._check_start)  # type: ignore[method-assign]
    Metered.fetch = fetch  # type: ignore[method-assign]
    run.Metered = lambda fetcher, ledger: Metered(Inner(fetcher), ledger)  # type: ignore[assignment,misc]
    atexit.register(lambda: print(f"{HOOKS_LINE} {spent['seconds']:.6f} s in {spent['calls']} calls", file=sys.stderr))


def timed(cmd: list[str]) -> tuple[float, float]:
    wall, cpu, _ = timed_run(cmd)
    return wall, cpu


def timed_run(cmd: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stderr


def hooks(url: str) -> list[str]:
    """Each hook's cost per call, in this process, on the site's own pages."""
    from urllib.parse import urljoin

    import requests

    from scraper.models import Ledger
    from scraper.parse import listing_served_instead, parse_html

    home = requests.get(url, timeout=30).text
    first = urljoin(url, home.split('<h2 class="entry-title"><a href="', 1)[1].split('"', 1)[0])
    page = requests.get(first, timeout=30).text
    article = parse_html(page, first)
    ledger = Ledger()
    n = 2000
    per_article = timeit.timeit(lambda: ledger.article(article), number=n) / n
    parse = min(timeit.repeat(lambda: parse_html(page, first), number=5, repeat=3)) / 5
    start = min(timeit.repeat(lambda: listing_served_instead(home, url), number=20, repeat=3)) / 20
    return [
        "| hook | cost per call | against |",
        "|---|---:|---|",
        f"| Ledger.article (a stored article: fields, body words; {len(article.body.split())} words) | "
        f"{per_article * 1e6:.1f} µs | parsing its page: {parse * 1000:.2f} ms ({per_article / parse:.2%}) |",
        f"| the start page's bot-check test ({len(home) // 1024} KB home page) | {start * 1000:.2f} ms | once a run |",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=("on", "off", "timed"))
    args, rest = parser.parse_known_args()
    if args.child:
        child(args.child, rest)
        return 0
    from crawl_site import SiteProcess

    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with SiteProcess(args.articles, 0.0) as site, tempfile.TemporaryDirectory() as work:
        for repetition in range(args.repeat):
            for mode in ("on", "off") if repetition % 2 == 0 else ("off", "on"):
                db = Path(work) / f"{mode}-{repetition}.db"
                cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--db", str(db), "scrape",
                       site.url, "--delay", "0", "-q", "--processes", "0"]  # fmt: skip
                results.setdefault(("backfill", mode), []).append(timed(cmd))
                results.setdefault(("cron", mode), []).append(timed(cmd))
                print(f"repetition {repetition + 1}, ledger {mode}: done", file=sys.stderr)
        inside: dict[str, list[tuple[float, float, int]]] = {}
        for repetition in range(min(3, args.repeat)):  # the ledger on, its hooks' own time summed in the run
            db = Path(work) / f"timed-{repetition}.db"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "timed", "--db", str(db), "scrape",
                   site.url, "--delay", "0", "-q", "--processes", "0"]  # fmt: skip
            for kind in ("backfill", "cron"):
                _, cpu, said = timed_run(cmd)
                line = next(line for line in said.splitlines() if line.startswith(HOOKS_LINE))
                seconds, calls = float(line.split()[2]), int(line.split()[5])
                inside.setdefault(kind, []).append((seconds, cpu, calls))
        lines = hook_lines = hooks(site.url)
    print(f"{args.articles} articles, {args.repeat} repetitions, interleaved; medians (range)\n")
    print("| run | ledger | wall s | CPU s |")
    print("|---|---|---:|---:|")
    for kind in ("backfill", "cron"):
        for mode in ("off", "on"):
            walls = [w for w, _ in results[(kind, mode)]]
            cpus = [c for _, c in results[(kind, mode)]]
            print(f"| {kind} | {mode} | {statistics.median(walls):.3f} ({min(walls):.3f}–{max(walls):.3f}) | "
                  f"{statistics.median(cpus):.3f} ({min(cpus):.3f}–{max(cpus):.3f}) |")  # fmt: skip
    for kind in ("backfill", "cron"):
        on = statistics.median(c for _, c in results[(kind, "on")])
        off = statistics.median(c for _, c in results[(kind, "off")])
        print(f"\n{kind}: CPU on - off = {on - off:+.3f} s ({(on - off) / off:+.1%})", end="")
    print("\n")
    print("| run | time inside the ledger's hooks | calls | of the run's CPU |")
    print("|---|---:|---:|---:|")
    for kind, rows in inside.items():
        seconds = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"| {kind} | {seconds * 1000:.1f} ms | {rows[0][2]} | {seconds / cpu:.2%} |")
    print()
    print("\n".join(lines if lines is hook_lines else []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
