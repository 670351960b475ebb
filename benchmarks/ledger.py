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
Also, in this process: each hook's own cost per call, against parsing one article page.
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
    """Run the command line in this process, with the ledger off if asked."""
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


def timed(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
    parser.add_argument("--child", choices=("on", "off"))
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
    print("\n".join(lines if lines is hook_lines else []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
