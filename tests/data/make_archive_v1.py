"""How tests/data/archive-v1.db was made: by the release whose schema is version 1 (commit a2a9c3c).

    mkdir /tmp/v1 && git archive a2a9c3c scraper | tar -x -C /tmp/v1
    PYTHONPATH=/tmp/v1 python tests/data/make_archive_v1.py tests/data/archive-v1.db

Five articles from two sources (one numbered by text, one undated), one updated article with its
revision, their URLs, one failure and two runs. Never regenerate it with newer code: it stands for
an archive that an old release left on a user's disk.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from scraper.archive import Archive
from scraper.archive.schema import SCHEMA_VERSION
from scraper.models import Article

KABUL = timezone(timedelta(hours=4, minutes=30))


def main(path: Path) -> None:
    assert SCHEMA_VERSION == 1, "run this with the schema-version-1 release on PYTHONPATH"
    path.unlink(missing_ok=True)
    archive = Archive(path)
    run = archive.start_run("scrape", ["https://kabulpost.example/"])
    for number in (16981, 16982, 16983):
        archive.save(
            Article(
                source="kabulpost.example",
                number=number,
                url=f"https://kabulpost.example/2021/02/18/story-{number}/",
                title=f"Story {number}: talks on the ceasefire",
                lede="A lede.",
                body=f"First paragraph of {number}.\n\nThe ceasefire talks resumed in Doha.",
                published=datetime(2021, 2, 18, 10, number % 60, tzinfo=KABUL),
                category="Politics",
                categories=("Politics", "Afghanistan"),
                tags=("NATO",),
                fetched_at=datetime(2021, 2, 19, tzinfo=UTC),
            ),
            [f"https://kabulpost.example/?p={number}"],
        )
    updated = archive.find(16983)[0]
    archive.save(Article(**{**updated.__dict__, "title": "Story 16983: talks resume", "extra": {}}))
    archive.save(Article(source="metroledger.example", number="a48213b", url="https://metroledger.example/a48213b",
                         title="Council budget vote", body="The council voted on the budget.", category="City",
                         categories=("City",), published=datetime(2021, 2, 17, 20, tzinfo=timezone(-timedelta(hours=5)))))  # fmt: skip
    archive.save(Article(source="metroledger.example", number=7, url="https://metroledger.example/7",
                         title="Undated notice", body="No date on this page."))  # fmt: skip
    archive.record_failure("https://kabulpost.example/2021/02/18/broken/", "kabulpost.example", "HTTP 503")
    archive.finish_run(run, {"discovered": 6, "new": 5, "updated": 1, "failed": 1}, "failed")
    archive.finish_run(archive.start_run("import", ["old/"]), {"discovered": 0}, "ok")
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
