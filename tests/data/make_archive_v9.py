"""How tests/data/archive-v9.db was made: by main at schema version 9 (commit 010515e: WARC links
are 8, run uids 9), the last before the health ledger (10) gave run_sources its columns.

    mkdir /tmp/v9 && git archive 010515e scraper | tar -x -C /tmp/v9
    PYTHONPATH=/tmp/v9 python tests/data/make_archive_v9.py tests/data/archive-v9.db

The saved metro-ledger site scraped into it twice (12 articles, then a run with nothing new), then
vacuumed. Never regenerate it with newer code: it stands for an archive that release left on a
user's disk, its runs with their uids.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from scraper.archive.schema import SCHEMA_VERSION
from scraper.cli import cli

SITE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "sites" / "metro-ledger"


def main(path: Path) -> None:
    assert SCHEMA_VERSION == 9, "run this with the schema-version-9 release on PYTHONPATH"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "archive.db"
        args = ["--db", str(work), "scrape", str(SITE), "--timezone", "America/New_York", "--delay", "0"]
        for _ in range(2):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output
        with sqlite3.connect(work) as conn:
            conn.execute("VACUUM INTO ?", [str(path)])
        conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
