"""`scraper report`: one self-contained HTML page. Its numbers are `stats --format json`'s, it loads
nothing, and it renders in a real headless browser (Debian's chromium; the browser tests skip,
saying why, where there is none)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from lxml import html as lxml_html

from scraper.cli import cli

SITE = FIXTURES / "sites" / "kabul-post"
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium here (Debian: apt-get install chromium); the page is checked without a browser"
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
)  # fmt: skip


def invoke(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo archive (the README's demo scrape of the kabul-post site) and its report."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    invoke(db, "scrape", str(SITE), "-q")
    page = folder / "report.html"
    invoke(db, "report", "-o", str(page))
    return db, page


def test_the_page_holds_the_archives_numbers(demo: tuple[Path, Path]) -> None:
    db, page = demo
    stats = json.loads(invoke(db, "stats", "--format", "json"))
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    totals = {cell.get("data-stat"): int(cell.text_content()) for cell in tree.xpath("//*[@data-stat]")}
    assert totals == {"articles": stats["articles"], "revisions": stats["revisions"], "failures": stats["failures"],
                      "sources": 1, "unhealthy": 0}  # fmt: skip
    per_source = {
        row.get("data-archive-source"): int(row.xpath(".//*[@data-figure='articles']")[0].text_content())
        for row in tree.xpath("//tr[@data-archive-source]")
    }
    assert per_source == {row["source"]: row["articles"] for row in stats["sources"]}
    (section,) = tree.xpath("//section[@data-source]")
    assert section.get("data-source") == str(SITE) and section.get("data-status") == "ok"
    figures = {cell.get("data-figure"): cell.text_content() for cell in section.xpath(".//*[@data-figure]")}
    assert figures["articles"] == str(stats["articles"]) and figures["new"] == str(stats["articles"])
    assert figures["runs"] == "1" and figures["failed"] == "0"
    new, fill, words, problems = section.xpath(".//svg")
    bars = new.xpath(".//rect[@data-value]")
    assert len(bars) == 60 and sum(int(bar.get("data-value")) for bar in bars) == stats["articles"]
    with sqlite3.connect(db) as conn:
        lengths = sorted(len(body.split()) for (body,) in conn.execute("select body from articles"))
    conn.close()
    middle = len(lengths) // 2
    median = lengths[middle] if len(lengths) % 2 else (lengths[middle - 1] + lengths[middle]) // 2
    assert [int(bar.get("data-value")) for bar in words.xpath(".//rect[@data-value]")][-1] == median
    assert sum(int(bar.get("data-value")) for bar in problems.xpath(".//rect[@data-value]")) == 0
    assert len(fill.xpath(".//circle")) == 6  # one day of fields, six of them


def test_the_page_loads_nothing_and_runs_nothing(demo: tuple[Path, Path]) -> None:
    text = demo[1].read_text(encoding="utf-8")
    tree = lxml_html.fromstring(text)
    assert not tree.xpath("|".join(f"//{tag}" for tag in ("script", "link", "img", "iframe", "object", "embed", "video", "audio", "source")))
    assert "default-src 'none'" in tree.xpath("//meta[@http-equiv='Content-Security-Policy']")[0].get("content")
    for element in tree.iter():
        for name, value in element.attrib.items():
            if name in ("src", "href", "srcset", "action", "poster"):
                assert value.startswith("#"), (element.tag, name, value)  # in-page anchors only
    assert not re.search(r"@import|url\(", text)


def test_a_hostile_string_is_text_on_the_page(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from scraper.health import Health
    from scraper.htmlreport import Report, SourceReport, render, summarize

    evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    now = datetime(2026, 1, 1, tzinfo=UTC)
    page = render(Report(now, "a.db", {"articles": 0, "sources": []}, [
        SourceReport("s", Health("s"), summarize([], now.date()),
                     failures=[{"url": f"http://x/{evil}", "error": evil, "attempts": 1}]),
    ]))  # fmt: skip
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script | //img") and evil in tree.text_content()


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(profile)},
    )  # fmt: skip


PROBE = """<script>
const box = (el) => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
const out = {
  charts: [...document.querySelectorAll("svg.chart")].map(box),
  bars: [...document.querySelectorAll("svg.chart rect[data-value]")].filter((r) => r.getBBox().height > 0).length,
  sections: [...document.querySelectorAll("section.source")].map((s) => [s.dataset.source, s.dataset.status, box(s)]),
  stats: Object.fromEntries([...document.querySelectorAll("[data-stat]")].map((c) => [c.dataset.stat, c.innerText])),
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  fonts: [...document.fonts].length,
};
document.body.insertAdjacentHTML("beforeend", "<pre id=probe>" + JSON.stringify(out) + "</pre>");
</script>"""


@needs_chromium
def test_the_page_renders_in_a_headless_browser(demo: tuple[Path, Path], tmp_path: Path) -> None:
    db, page = demo
    stats = json.loads(invoke(db, "stats", "--format", "json"))
    # A copy with a probe that measures the laid-out page (the page itself may run no script)
    probed = tmp_path / "probed.html"
    text = page.read_text(encoding="utf-8").replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    probed.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = chromium("--dump-dom", "--virtual-time-budget=5000", "--window-size=1000,1400", probed.as_uri(),
                    profile=tmp_path / "profile")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stdout[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["charts"] == [[300, 120], [300, 144], [300, 120], [300, 120]]
    assert probe["bars"] == 2  # one day of runs, the demo scrape's: its new articles, their median body length
    ((source, status, (width, height)),) = probe["sections"]
    assert source == str(SITE) and status == "ok" and width > 600 and height > 200
    assert probe["stats"]["articles"] == str(stats["articles"]) and probe["stats"]["failures"] == str(stats["failures"])
    assert not probe["overflow"] and probe["fonts"] == 0  # no web font: none was loaded


@needs_chromium
def test_a_screenshot_of_the_page_shows_its_charts(demo: tuple[Path, Path], tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1000,900", demo[1].as_uri(), profile=tmp_path / "profile")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (1000, 900)
    colours = {pixel for row in pixels for pixel in row}
    assert (0x1F, 0x77, 0xB4) in colours  # the bars of new articles per day
    assert (0x2E, 0x7D, 0x32) in colours  # the "ok" badge
    assert sum(1 for row in pixels for pixel in row if pixel != (255, 255, 255)) > 20_000  # text, tables, charts


def read_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """An 8-bit RGB or RGBA PNG as rows of (r, g, b) (enough for chromium's screenshots)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[list[tuple[int, int, int]]] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels)])
        previous = line
    return width, height, rows
