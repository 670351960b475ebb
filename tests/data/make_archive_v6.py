"""How tests/data/archive-v6.db was made: by the release whose schema is version 6 (commit c0f52c3),
the last before records had an `authors` list.

    mkdir /tmp/v6 && git archive c0f52c3 scraper | tar -x -C /tmp/v6
    PYTHONPATH=/tmp/v6 python tests/data/make_archive_v6.py tests/data/archive-v6.db

The saved metro-ledger site scraped into it (12 articles, three of them by two or three authors,
their raw pages kept for reparse), then vacuumed. Never regenerate it with newer code: it stands
for an archive that an old release left on a user's disk, with content hashes that release made.
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
    assert SCHEMA_VERSION == 6, "run this with the schema-version-6 release on PYTHONPATH"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "archive.db"
        args = ["--db", str(work), "scrape", str(SITE), "--timezone", "America/New_York", "--delay", "0"]
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
