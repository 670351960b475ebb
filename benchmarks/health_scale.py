#!/usr/bin/env python3
"""Health at scale: `scraper health --check` and `scraper report` on a long ledger, as a collection
of many sources scraped from cron leaves it (default: 200 sources, a run every 15 minutes for 90
days: 8,640 runs and 1.7 million rows of run_sources), each command in its own process, timed
from start to exit, its peak RSS read from that child alone (os.wait4). Medians of --repeat.

    python benchmarks/health_scale.py                          # about 3 minutes on 2 cores
    python benchmarks/health_scale.py --sources 50 --days 30

The rows are synthetic (written straight into the archive's tables: every source reached, a few
new articles a run by day, every field filled), since what is measured is reading and judging
them, not scraping.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.archive import Archive  # noqa: E402
from scraper.models import FILL_FIELDS  # noqa: E402


def build(db: Path, config: Path, sources: int, days: int, every_minutes: int) -> int:
    names = [f"source{i:04d}" for i in range(sources)]
    config.write_text("".join(f'[sources.{n}]\nurl = "https://{n}.example/"\n\n' for n in names), encoding="utf-8")
    archive = Archive(db)
    rng = random.Random(1)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
    runs = days * 24 * 60 // every_minutes
    conn = archive.db.conn
    rows = 0
    with conn:
        for run in range(runs):
            at = start + timedelta(minutes=every_minutes * run)
            stamp = at.isoformat()
            cursor = conn.execute(
                "insert into runs (command, started, ended, targets, status, uid) "
                "values ('scrape', ?, ?, '[]', 'ok', ?)",
                (stamp, stamp, f"uid-{run}"),
            )
            run_id = cursor.lastrowid
            daytime = 6 <= at.hour < 22
            batch = []
            for name in names:
                new = rng.randint(0, 2) if daytime else 0
                counts = (new + 3, new, 0, 3, 0, 0)
                ledger = (stamp, name, 1 + new, 40_000 * (1 + new), "listing", None, 0, 0, 0, new)
                batch.append((run_id, name, "ok", *counts, *ledger, *([new] * len(FILL_FIELDS)), 600 if new else None))
            fills = ", ".join(f"filled_{f}" for f in FILL_FIELDS)
            conn.executemany(
                "insert into run_sources (run_id, source, status, discovered, new, updated, unchanged, skipped, "
                "failed, ended, archived_as, requests, bytes, method, error, not_articles, bot_checks, robots, stored, "
                f"{fills}, body_words) values ({', '.join('?' * len(batch[0]))})",
                batch,
            )
            rows += len(batch)
    archive.close()
    return rows


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and the exit code of one run of cmd."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--every", type=int, default=15, help="minutes between runs")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scraper = str(Path(sys.executable).with_name("scraper"))
    with tempfile.TemporaryDirectory() as work:
        db, config = Path(work) / "archive.db", Path(work) / "scraper.toml"
        began = time.perf_counter()
        rows = build(db, config, args.sources, args.days, args.every)
        print(f"built {rows:,} ledger rows in {time.perf_counter() - began:.0f} s "
              f"({db.stat().st_size / 1e6:.0f} MB archive)", file=sys.stderr)  # fmt: skip
        commands = {
            "health --check": [scraper, "--db", str(db), "--config", str(config), "health", "--check"],
            "health --json": [scraper, "--db", str(db), "--config", str(config), "health", "--json"],
            "report -o": [scraper, "--db", str(db), "--config", str(config), "report", "-o", f"{work}/r.html"],
        }
        print(f"{args.sources} sources, a run every {args.every} minutes for {args.days} days: {rows:,} ledger rows; "
              f"medians of {args.repeat}\n")  # fmt: skip
        print("| command | wall s | peak RSS MB | exit |")
        print("|---|---:|---:|---:|")
        for name, cmd in commands.items():
            results = [timed(cmd) for _ in range(args.repeat)]
            walls = [r[0] for r in results]
            print(f"| `{name}` | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) | "
                  f"{statistics.median(r[1] for r in results):.0f} | {results[0][2]} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
