"""First run and no-change run on a WordPress site: requests (counted at the server) and seconds.

    python benchmarks/first_run.py                    # 580 posts, the default 1 s delay
    python benchmarks/first_run.py --posts 2000 --delay 0

The site is the loopback WordPress stand-in (tests/wpsite.py) scaled to N synthetic posts
(tests/wpsynthetic.py: a REST API with categories, tags over several pages and authors, a home page
and older listing pages). Each run is `python -m scraper scrape URL` in a subprocess on an archive
that is empty for the first run; the no-change run follows it at once. Every record is checked
against the post it was made from. Needs nothing outside this checkout; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.wpsite import WordPressSite  # noqa: E402

FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author")


def scrape(db: Path, url: str, delay: float | None) -> tuple[float, str]:
    command = [sys.executable, "-m", "scraper", "--db", str(db), "scrape", "-v", url]
    if delay is not None:
        command += ["--delay", str(delay)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"scrape failed ({done.returncode}):\n{done.stderr}")
    method = next((line for line in done.stderr.splitlines() if "discovery via" in line), "")
    return seconds, method.split("discovery via ", 1)[-1].split(" (", 1)[0]


def exact(db: Path, expected: dict[int, dict[str, object]]) -> int:
    """How many archived records equal the posts they came from, field by field."""
    out = subprocess.run([sys.executable, "-m", "scraper", "--db", str(db), "export", "--format", "jsonl"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout  # fmt: skip
    got = {r["number"]: r for r in map(json.loads, out.splitlines())}
    return sum(
        1 for number, record in expected.items()
        if number in got and all(got[number][f] == record[f] for f in FIELDS)
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=580)
    parser.add_argument("--delay", type=float, default=None, help="--delay for scrape (default: scraper's own)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, WordPressSite(posts=args.posts, validators=True) as site:
        db = Path(tmp) / "archive.db"
        for run in ("first run (empty archive)", "no-change run"):
            before = len(site.paths())
            seconds, method = scrape(db, site.url("/"), args.delay)
            rows.append((run, method, len(site.paths()) - before, seconds))
        correct = exact(db, site.expected)
    delay = "scraper's default" if args.delay is None else f"{args.delay:g} s"
    print(f"WordPress stand-in, {args.posts} posts ({len(site.expected)} public), delay {delay}; "
          f"{correct} of {len(site.expected)} records exact\n")
    print("| run | method | requests | seconds |\n|---|---|---:|---:|")
    for run, method, requests, seconds in rows:
        print(f"| {run} | {method} | {requests} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
