"""What a process that opens an archive loads: not numpy (15 MB), which sqlite-utils would import
for values scraper never inserts (scraper/archive/lean.py)."""

from __future__ import annotations

import subprocess
import sys

OPEN_AN_ARCHIVE = """
import sys
from scraper.archive import Archive
archive = Archive(":memory:")
archive.close()
print("numpy" in sys.modules, "pandas" in sys.modules)
import numpy  # still importable for whoever needs it (py3langid, in the parser processes)
print(numpy.__name__)
"""


def test_opening_an_archive_does_not_load_numpy() -> None:
    result = subprocess.run([sys.executable, "-c", OPEN_AN_ARCHIVE], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "numpy"], result.stderr
