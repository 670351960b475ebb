"""A discovery method is one class behind the walk protocol and one entry in the registry: this
test adds one (a "manifest" of article URLs the site publishes as plain text) and runs it through
the sources file, `auto` and -v, without touching the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from scraper.models import Page
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks import WALKS, Batch, Candidate, Cost, NotHere, Offer, WalkContext
from tests.servers import Reply, ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
ARTICLES = ["/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/",
            "/2021/02/18/roadside-bomb-hits-minibus-in-parwan-killing-three/"]  # fmt: skip


class ManifestWalk:
    """Every article URL in /manifest.txt, one a line."""

    name: ClassVar[str] = "manifest"

    def offer(self, home: Page, mode: Mode) -> Offer:
        return Offer(Cost(1, 0), True, "one request lists every article")

    def walk(self, ctx: WalkContext, home: Page) -> Iterator[Batch]:
        manifest = ctx.page(home.final_url.rstrip("/") + "/manifest.txt", quiet=True)
        if manifest is None:
            raise NotHere("no /manifest.txt")
        batch = Batch([Candidate(line.strip()) for line in manifest.text.splitlines() if line.strip()])
        yield batch


@pytest.fixture
def manifest_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WALKS, ManifestWalk.name, ManifestWalk)


def scrape(db: Path, config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "scrape", "-v", "--delay", "0", *args])


def test_a_registered_walk_is_chosen_by_name_and_by_auto(
    manifest_walk: None, tmp_path: Path, db_path: Path, loopback: ServerFactory
) -> None:
    server = loopback(folder=SITE)
    server.route("/manifest.txt", Reply(200, {"Content-Type": "text/plain"}, "".join(server.url(a) + "\n" for a in ARTICLES)))
    config = tmp_path / "scraper.toml"
    config.write_text(f'[sources.k]\nurl = "{server.url("/")}"\ndiscovery = ["manifest"]\n', encoding="utf-8")
    named = scrape(db_path, config, "k")
    assert named.exit_code == 0, named.output
    assert "discovery via manifest (as configured)" in named.stderr and "new 2," in named.stderr
    fetched = [r.path for r in server.requests if r.path.startswith("/2021/")]
    assert sorted(fetched) == sorted(ARTICLES)
    auto = CliRunner().invoke(cli, ["--db", str(tmp_path / "other.db"), "scrape", "-v", "--delay", "0", server.url("/")])
    assert "discovery via manifest (a first run: a full backfill; one request lists every article" in auto.stderr


def test_a_name_not_registered_is_a_config_error(tmp_path: Path, db_path: Path) -> None:
    config = tmp_path / "scraper.toml"
    config.write_text('[sources.k]\nurl = "https://news.example/"\ndiscovery = ["manifest"]\n', encoding="utf-8")
    result = scrape(db_path, config, "k")
    assert result.exit_code == 2
    assert "scraper.toml:3: unknown discovery 'manifest'; use auto, wordpress, ghost, sitemap, listing, feed" in result.stderr
