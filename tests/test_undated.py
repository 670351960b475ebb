"""Articles without a date, and with a wall-clock time but no offset, through the command line on a
small site of our own served on 127.0.0.1: what is archived, how `show`, `export`, `search`,
`stats` and `reparse` show it, what --since/--until and --undated do with it, and the one line
that says so."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests.servers import ServerFactory

TEXT = (
    "The harbour board met on a wet evening and agreed, after a long debate about costs and timing, "
    "that the old ferry pier would be rebuilt in stone rather than timber. "
)
# number -> (slug, title, what the page says of its date, what the home page says of it)
PAGES: dict[int, tuple[str, str, str, str]] = {
    4801: ("pier-rebuilt", "Pier to be rebuilt in stone", '<time datetime="2021-03-10T09:00:00+01:00">10 March</time>', ""),
    4802: ("ferry-returns", "Ferry returns next spring", "", ""),  # no date anywhere
    4803: ("harbour-lights", "Harbour lights switched on", '<time datetime="2021-03-12T08:30:00">12 March, 8:30</time>', ""),
    4804: ("new-moorings", "New moorings for small boats", "", '<time datetime="2021-03-11T10:00:00+01:00">11 March</time>'),
    4805: ("winter-storm", "Winter storm closes the quay", '<time datetime="2021-01-05T10:00:00+01:00">5 January</time>', ""),
}
DATED, UNDATED, LOCAL, LISTED, OLD = PAGES


def article(number: int) -> str:
    slug, title, dating, _ = PAGES[number]
    body = "".join(f"<p>{TEXT * 2}Paragraph {i} of the story about {title.lower()}.</p>" for i in range(1, 4))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Harbour Notes</title>
<link rel="canonical" href="/story/{number}/{slug}/"><meta property="og:type" content="article"></head>
<body><header><a href="/">Harbour Notes</a></header><main><article><h1>{title}</h1>{dating}
<div class="article-body">{body}</div></article></main></body></html>"""


@pytest.fixture
def site(tmp_path: Path, loopback: ServerFactory) -> str:
    root = tmp_path / "site"
    items = []
    for number, (slug, title, _, listed) in PAGES.items():
        page = root / "story" / str(number) / slug / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(article(number), encoding="utf-8")
        items.append(f'<article><h2><a href="/story/{number}/{slug}/">{title}</a></h2>{listed}</article>')
    home = f"<!DOCTYPE html><html><head><title>Harbour Notes</title></head><body><main>{''.join(items)}</main></body></html>"
    (root / "index.html").write_text(home, encoding="utf-8")
    return loopback(folder=root).url("/")


def run(db: Path, *args: str) -> Result:
    if args[0] == "scrape":
        args = ("scrape", "--delay", "0", "--processes", "0", *args[1:])
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def record(db: Path, number: int) -> dict[str, Any]:
    shown = run(db, "show", str(number), "--format", "json")
    assert shown.exit_code == 0, shown.output
    return dict(json.loads(shown.stdout))


def published(db: Path) -> dict[int, str | None]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select number, published from articles"))


def notes(result: Result, words: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if words in line]


def summary(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_a_cron_run_archives_every_article_and_says_so_once(db_path: Path, site: str) -> None:
    result = run(db_path, "scrape", site)
    assert result.exit_code == 0 and "error:" not in result.stderr, result.output
    assert summary(result).startswith("scrape: discovered 5, new 5, updated 0, unchanged 0, skipped 0, failed 0")
    (undated,) = notes(result, "without a publication date")
    assert undated == "127.0.0.1: archived 2 articles without a publication date (published null)"
    (local,) = notes(result, "no UTC offset")
    assert local.startswith("127.0.0.1: archived 1 article whose time has no UTC offset") and "--timezone" in local
    assert published(db_path) == {
        DATED: "2021-03-10T09:00:00+01:00",
        UNDATED: None,
        LOCAL: "2021-03-12T08:30:00",  # the wall clock, without an offset
        LISTED: None,  # the home page's date is discovery's, not the page's: the record is the page's
        OLD: "2021-01-05T10:00:00+01:00",
    }
    precisions = {n: record(db_path, n)["extra"]["published_precision"] for n in PAGES}
    assert precisions == {DATED: "time", UNDATED: "none", LOCAL: "local", LISTED: "none", OLD: "time"}
    with sqlite3.connect(db_path) as conn:  # the index column: an instant in UTC, the wall clock without Z, null
        stamps = dict(conn.execute("select number, published_utc from articles"))
    assert (stamps[DATED], stamps[LOCAL], stamps[UNDATED]) == ("2021-03-10T08:00:00Z", "2021-03-12T08:30:00", None)
    again = run(db_path, "scrape", site)  # nothing new, nothing said
    assert again.exit_code == 0 and "new 0" in summary(again) and not notes(again, "publication date")


def test_show_renders_what_is_known(db_path: Path, site: str) -> None:
    run(db_path, "scrape", site, "-q")
    undated = run(db_path, "show", str(UNDATED)).stdout
    assert undated.startswith("• publish: \n  • time: \n  • category: \n  • No: 4802\n\nFerry returns next spring\n\n")
    local = run(db_path, "show", str(LOCAL)).stdout
    assert local.startswith("• publish: 12 March 2021\n  • time: 8:30 am\n  • category: \n  • No: 4803\n\n")


def test_a_zone_places_the_wall_clock_time(db_path: Path, site: str) -> None:
    result = run(db_path, "scrape", site, "--timezone", "Europe/Berlin")
    assert result.exit_code == 0 and not notes(result, "no UTC offset"), result.output
    assert published(db_path)[LOCAL] == "2021-03-12T08:30:00+01:00"
    assert record(db_path, LOCAL)["extra"]["published_precision"] == "time"


def test_a_window_skips_undated_articles_with_one_note(db_path: Path, site: str) -> None:
    result = run(db_path, "scrape", site, "--since", "2021-03-01", "--until", "2021-03-31")
    assert result.exit_code == 0 and "error:" not in result.stderr, result.output
    # 4805 is older than --since, 4802 has no date at all; 4804's page has none, but the home page
    # dated it inside the window (the date triage went by), so it is archived, with published null.
    assert set(published(db_path)) == {DATED, LOCAL, LISTED}
    assert "skipped 2" in summary(result)
    assert notes(result, "without a publication date") == [
        "127.0.0.1: skipped 1 article without a publication date "
        "(--since/--until cannot place them; --undated keep archives them)",
        "127.0.0.1: archived 1 article without a publication date (published null)",
    ]
    kept = run(db_path, "scrape", site, "--since", "2021-03-01", "--undated", "keep")
    assert kept.exit_code == 0 and "new 1" in summary(kept)
    assert UNDATED in published(db_path) and not notes(kept, "skipped 1 article")


def test_undated_skip_on_a_cron_run(db_path: Path, site: str) -> None:  # 4804's home-page date notwithstanding
    result = run(db_path, "scrape", site, "--undated", "skip")
    assert result.exit_code == 0
    assert set(published(db_path)) == {DATED, LOCAL, OLD}
    assert notes(result, "without a publication date") == [
        "127.0.0.1: skipped 2 articles without a publication date (--undated skip)"
    ]


def test_the_sources_file_says_undated(tmp_path: Path, db_path: Path, site: str) -> None:
    config = tmp_path / "scraper.toml"
    config.write_text(f'[sources.harbour]\nurl = "{site}"\ndelay = 0\nundated = "skip"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "--processes", "0"])
    assert result.exit_code == 0 and set(published(db_path)) == {DATED, LOCAL, OLD}, result.output
    flag = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "--undated", "keep"])
    assert flag.exit_code == 0 and "new 2" in summary(flag)  # the flag beats the file
    config.write_text(f'[sources.harbour]\nurl = "{site}"\n\nundated = "maybe"\n', encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape"])
    assert bad.exit_code == 2
    assert bad.stderr == f'Error: {config}:4: undated must be "keep" or "skip", not \'maybe\'\n'


def test_a_local_time_against_a_window_is_on_the_wall_clock(db_path: Path, site: str) -> None:
    # 08:30 on 12 March on the site's clock: inside 12 March, before 09:00 that day, whatever the zone.
    run(db_path, "scrape", site, "--since", "2021-03-12", "--until", "2021-03-12T09:00", "-q")
    assert set(published(db_path)) == {LOCAL}
    # Against an instant it could be in any zone, so it is kept: never a wrong skip.
    run(db_path, "scrape", site, "--since", "2021-03-12T20:00Z", "-q")
    assert set(published(db_path)) == {LOCAL}


def export(db: Path, *args: str) -> tuple[list[dict[str, Any]], Result]:
    result = run(db, "export", "--format", "jsonl", "--fields", "number,published", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()], result


def test_export_orders_filters_and_says_what_it_left_out(db_path: Path, site: str) -> None:
    run(db_path, "scrape", site, "-q")
    rows, result = export(db_path)
    assert [r["number"] for r in rows] == [OLD, DATED, LOCAL, UNDATED, LISTED]  # undated last
    assert result.stderr == ""
    rows, result = export(db_path, "--since", "2021-03-01")
    assert rows == [{"number": DATED, "published": "2021-03-10T09:00:00+01:00"},
                    {"number": LOCAL, "published": "2021-03-12T08:30:00"}]  # fmt: skip
    assert result.stderr == (
        "export: left out 2 articles without a publication date "
        "(--since/--until cannot place them; --undated keep includes them)\n"
    )
    rows, result = export(db_path, "--since", "2021-03-01", "--undated", "keep")
    assert [r["number"] for r in rows] == [DATED, LOCAL, UNDATED, LISTED] and result.stderr == ""
    rows, _ = export(db_path, "--undated", "skip")
    assert [r["number"] for r in rows] == [OLD, DATED, LOCAL]
    # Instants: the wall-clock time could be in any zone, as for a scrape.
    assert [r["number"] for r in export(db_path, "--since", "2021-03-12T20:00Z")[0]] == [LOCAL]
    assert [r["number"] for r in export(db_path, "--until", "2021-03-11T20:00Z")[0]] == [OLD, DATED, LOCAL]
    assert [r["number"] for r in export(db_path, "--since", "2021-03-13T00:00Z")[0]] == []
    csv = run(db_path, "export", "--format", "csv", "--fields", "number,published", "--undated", "keep").stdout
    assert csv.splitlines()[3:] == ["4803,2021-03-12T08:30:00", "4802,", "4804,"]


def test_txt_export_reads_back_every_field(db_path: Path, site: str, tmp_path: Path) -> None:
    run(db_path, "scrape", site, "-q")
    out = tmp_path / "out"
    assert run(db_path, "export", "--format", "txt", "-o", str(out)).exit_code == 0
    # The files hold wall-clock times: the site's zone gives them back their offset; without a zone
    # they stay wall-clock times, as the local one was archived.
    zoned, local = tmp_path / "zoned.db", tmp_path / "local.db"
    assert run(zoned, "import", str(out), "--source", "127.0.0.1", "--timezone", "Europe/Berlin").exit_code == 0
    assert run(local, "import", str(out), "--source", "127.0.0.1").exit_code == 0
    for number in PAGES:
        before, again = record(db_path, number), record(local if number == LOCAL else zoned, number)
        for field in ("number", "title", "published"):
            assert again[field] == before[field], (number, field)
        text = [again["lede"], again["body"]]  # the format cannot say "no lede": its first paragraph is one
        assert "\n\n".join(filter(None, text)) == before["body"] and not before["lede"]
        assert again["extra"]["published_precision"] == before["extra"]["published_precision"], number


def test_search_stats_reparse_and_check(db_path: Path, site: str) -> None:
    run(db_path, "scrape", site, "-q")
    hits = run(db_path, "search", "ferry", "--limit", "10").stdout
    assert "undated  127.0.0.1 4802  Ferry returns next spring" in hits
    windowed = run(db_path, "search", "ferry", "--since", "2021-03-01", "--format", "json").stdout
    assert {hit["number"] for hit in json.loads(windowed)} == {DATED, LOCAL}
    kept = run(db_path, "search", "ferry", "--since", "2021-03-01", "--undated", "keep", "--format", "json").stdout
    assert {hit["number"] for hit in json.loads(kept)} == {DATED, LOCAL, UNDATED, LISTED}
    stats = json.loads(run(db_path, "stats", "--format", "json").stdout)
    assert {m["month"]: m["articles"] for m in stats["months"]} == {"(undated)": 2, "2021-01": 1, "2021-03": 2}
    reparsed = run(db_path, "reparse")
    assert reparsed.exit_code == 0 and "unchanged 5" in reparsed.stderr, reparsed.output
    assert run(db_path, "db", "check", "-q").exit_code == 0


def test_extract_says_in_one_line(db_path: Path, site: str) -> None:
    local = run(db_path, "extract", site + "story/4803/harbour-lights/", "--format", "json")
    assert local.exit_code == 0 and json.loads(local.stdout)["published"] == "2021-03-12T08:30:00"
    assert local.stderr.count("\n") == 1 and "no UTC offset" in local.stderr and "--timezone" in local.stderr
    zoned = run(db_path, "extract", site + "story/4803/harbour-lights/", "--timezone", "Europe/Berlin")
    assert zoned.exit_code == 0 and zoned.stderr == ""
    undated = run(db_path, "extract", site + "story/4802/ferry-returns/")
    assert undated.exit_code == 0 and undated.stdout.startswith("• publish: \n  • time: \n")
    assert undated.stderr == "extract: the page shows no publication date: archived, it has published null\n"


def test_articles_archived_before_the_precision_was_kept_still_say_it(db_path: Path, site: str) -> None:
    run(db_path, "scrape", site, "-q")
    with sqlite3.connect(db_path) as conn:  # as an older release left them: no published_precision
        conn.execute("update articles set extra = null where number in (4801, 4802)")
    assert record(db_path, DATED)["extra"] == {"published_precision": "time"}
    assert record(db_path, UNDATED)["extra"] == {"published_precision": "none"}
