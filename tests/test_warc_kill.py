"""kill -9 in the middle of a WARC import, again and again: each run goes on where the last commit
left it, nothing is there twice, nothing is lost, and the end is a clean import's, row for row."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from warc_import import make_warc

KILLS = 5


def spawn(db: Path, warc: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "scraper", "--db", str(db), "import", "--json", str(warc)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip


def articles(db: Path, rowid: bool = False) -> list[tuple[object, ...]]:
    """The archived articles (with their rowids: a row written again gets a new one)."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        columns = ("rowid, " if rowid else "") + "source, number, url, title, body, published, content_hash"
        found = conn.execute(f"select {columns} from articles order by source, number").fetchall()
        pages = conn.execute("select count(*) from article_pages").fetchone()[0]
        assert pages == len(found)
        return found


def offset(db: Path) -> int:
    """How far the import of the file got, as committed (0: not begun)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            row = conn.execute("select offset from warc_imports").fetchone()
    except sqlite3.OperationalError:  # (the archive is being made)
        return 0
    return int(row[0]) if row else 0


def kill_after_a_commit(process: subprocess.Popen[bytes], db: Path, rng: random.Random) -> bool:
    """SIGKILL the import at a random moment after it has committed once (False: it ended first)."""
    before = offset(db)
    deadline = time.monotonic() + 120
    while offset(db) <= before:
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the import committed nothing in 2 minutes"
        time.sleep(0.05)
    time.sleep(rng.uniform(0.0, 0.5))  # anywhere between two commits (one a second), or past one
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


@pytest.mark.slow
def test_kill_9_mid_import_resumes_with_nothing_duplicated(tmp_path: Path) -> None:
    warc = tmp_path / "news.warc.gz"
    made = make_warc(warc, 4000, 0, None, seed=7)  # (enough for five kills at ~500 pages/s on 2 cores)
    clean = tmp_path / "clean.db"
    done = spawn(clean, warc)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err.decode()
    whole = json.loads(out.decode().splitlines()[-1])
    assert whole["new"] == made["article pages"]
    wanted = articles(clean)

    db = tmp_path / "killed.db"
    rng = random.Random(20261203)
    have: list[tuple[object, ...]] = []
    kills = 0
    for _ in range(KILLS):
        if not kill_after_a_commit(spawn(db, warc), db, rng):
            break
        kills += 1
        now = articles(db, rowid=True)
        assert set(have) <= set(now), "a kill lost or rewrote articles a commit had kept"
        assert len(now) < len(wanted)
        have = now
    assert kills >= 2, "the import ended before two kills: make the file bigger"
    last = spawn(db, warc)
    out, err = last.communicate(timeout=600)
    assert last.returncode == 0, err.decode()
    summary = json.loads(out.decode().splitlines()[-1])
    assert set(have) <= set(articles(db, rowid=True)), "the rerun rewrote articles an earlier run had kept"
    assert articles(db) == wanted  # row for row what a clean import gives
    # nothing after the last commit had been kept, so nothing is found again: all the rest is new
    assert (summary["new"], summary["unchanged"], summary["updated"]) == (len(wanted) - len(have), 0, 0)
    assert summary["earlier_records"] > 0
    assert "resumed after the" in err.decode()
    assert "imported by earlier runs, left as they were" in err.decode()
    assert summary["discovered"] < whole["discovered"]  # what earlier runs committed is not read again
