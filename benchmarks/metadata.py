#!/usr/bin/env python3
"""Per-field metadata accuracy on the hand-checked fixture pages (fixtures/metadata/*.json).

    python benchmarks/metadata.py            # the table
    python benchmarks/metadata.py -v         # and every miss

Each JSON names a page in fixtures/pages/ and holds the values read off the page by hand; a field
absent from a JSON was not checked and is not scored. Comparison: exact after whitespace
normalisation. `published` is compared as an instant when the expected value has an offset (and
the offset is scored separately as `published_offset`); as wall-clock time when the page shows
none (the page is parsed with --timezone UTC then); as a date when the page shows only a date;
to the second when the expected value gives no fraction of a second.
A page the parser rejects scores a miss on every field it has.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scraper.errors import ParseError  # noqa: E402
from scraper.parse import parse_html  # noqa: E402

FIELDS = ("title", "published", "published_offset", "author", "section", "language", "lede", "image")
FIXTURES = REPO / "fixtures" / "metadata"
PAGES = REPO / "fixtures" / "pages"


def _norm(value: object) -> str:
    return " ".join(str(value or "").split())


def parse_fixture(spec: dict):
    html = gzip.decompress((PAGES / spec["page"]).read_bytes()).decode("utf-8", "replace")
    try:
        return parse_html(html, spec["url"])
    except ParseError:
        try:
            return parse_html(html, spec["url"], timezone=ZoneInfo("UTC"))
        except ParseError:
            return None


def compare(spec: dict, article) -> dict[str, bool]:
    """{field: correct} for the fields the fixture checks."""
    got = {} if article is None else {
        "title": article.title, "author": article.author, "section": article.category,
        "language": article.language, "lede": article.lede, "image": article.image,
    }
    result: dict[str, bool] = {}
    for field in ("title", "author", "section", "language", "lede", "image"):
        if field in spec:
            result[field] = article is not None and _norm(got[field]) == _norm(spec[field])
    if "published" in spec:
        expected = datetime.fromisoformat(spec["published"])
        moment = article.published if article is not None else None
        if moment is not None and not expected.microsecond:  # written to the second: compared so
            moment = moment.replace(microsecond=0)
        if moment is None:
            result["published"] = False
        elif len(spec["published"]) == 10:  # the page shows a date only
            result["published"] = moment.date() == expected.date()
        elif expected.tzinfo is None:  # wall-clock time only
            result["published"] = moment.replace(tzinfo=None) == expected
        else:
            result["published"] = moment == expected
            result["published_offset"] = moment.utcoffset() == expected.utcoffset()
    return result


def run(verbose: bool = False) -> dict[str, tuple[int, int]]:
    totals = {field: [0, 0] for field in FIELDS}
    for path in sorted(FIXTURES.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        article = parse_fixture(spec)
        for field, ok in compare(spec, article).items():
            totals[field][0] += ok
            totals[field][1] += 1
            if verbose and not ok:
                got = None if article is None else getattr(article, {"section": "category"}.get(field, field), None)
                if field == "published_offset":
                    got = article.published
                print(f"  miss {path.stem} {field}: expected {spec.get(field.split('_')[0])!r}, got {got!r}")
    return {field: (ok, n) for field, (ok, n) in totals.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args(argv)
    table = run(args.verbose)
    pages = len(list(FIXTURES.glob("*.json")))
    print(f"# {pages} hand-checked pages in {FIXTURES.relative_to(REPO)}")
    print(f"| {'field':<17} | accuracy | checked |")
    print(f"|{'-' * 19}|----------|---------|")
    for field, (ok, n) in table.items():
        if n:
            print(f"| {field:<17} | {ok / n:8.3f} | {ok:>3}/{n:<3} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
