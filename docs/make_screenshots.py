"""How docs/report-demo.png and docs/report-history.png are made (run again when the report's
page changes): the demo archive's report, and the report two days after the change in the
simulated two months of five sources of tests/test_health_history.py, each screenshotted by
headless Chromium (Debian's `chromium`).

    .venv/bin/python docs/make_screenshots.py          # both: about two minutes
    .venv/bin/python docs/make_screenshots.py demo     # the demo's alone
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from scraper.cli import cli  # noqa: E402
from tests.servers import ServerFactory  # noqa: E402
from tests.test_health_history import EVERY, START, History  # noqa: E402
from tests.test_report import CHROMIUM, FLAGS  # noqa: E402


def shot(page: Path, png: Path, height: int, profile: Path) -> None:
    assert CHROMIUM is not None, "no chromium here (Debian: apt-get install chromium)"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size=1000,{height}",
         page.as_uri()], capture_output=True, text=True, timeout=120, env={"HOME": str(profile)},
    )  # fmt: skip
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]


def main(which: list[str]) -> None:
    os.chdir(ROOT)  # the demo scrape's target as the README gives it: fixtures/sites/kabul-post
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        db, page = folder / "demo.db", folder / "report.html"
        for args in (["scrape", "fixtures/sites/kabul-post", "-q"], ["report", "-o", str(page)]):
            result = CliRunner().invoke(cli, ["--db", str(db), *args])
            assert result.exit_code == 0, result.output
        shot(page, ROOT / "docs" / "report-demo.png", 760, folder / "profile")
        if which == ["demo"]:
            return
        with ServerFactory() as factory:
            history = History(folder, factory, ["north", "south", "east", "west", "central"], days=60)
            change = START + timedelta(days=45, hours=9)
            history.sites["north"].silent_from = change
            history.sites["south"].layout_from = change
            history.sites["east"].wall_from = change
            for run in history.runs_until(change + timedelta(days=2) - EVERY):
                assert run.exit_code == 0, run.output
            page = folder / "history.html"
            assert history.cli("report", "-o", str(page)).exit_code == 0
        shot(page, ROOT / "docs" / "report-history.png", 2100, folder / "profile")


if __name__ == "__main__":
    main(sys.argv[1:])
