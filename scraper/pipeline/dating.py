"""One source's check of a parsed article against --since/--until, with what the article knows of
its date: an instant, a wall-clock time whose zone is unknown (compared on the wall clock, see
scraper.window), or no date at all (kept or skipped as `--undated` says: scraper.window.keeps_undated),
and the one line each, per source, that says how many articles were archived or skipped for it.

An article whose page shows no date but whose feed or listing page gave one (the date triage went
by before fetching it) is judged by that date, so the check after parsing never undoes the one
before fetching; the record keeps what the page says (`published` null). `--undated skip` skips
it all the same: it asks for no article without a date in the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from scraper.models import Article
from scraper.pipeline.ports import Verdict
from scraper.window import Window, keeps_undated


@dataclass
class Dating:
    window: Window
    zone: tzinfo | None
    undated: str | None = None  # the source's --undated: "keep", "skip", None (see keeps_undated)
    kept: int = 0  # archived (new or updated) without a publication date
    skipped: int = 0  # left out by the window for having none
    local: int = 0  # archived with a wall-clock time in an unknown zone

    def verdict(self, article: Article, listed: datetime | None = None) -> Verdict | None:
        """None: archive the article; else what its skip says about the pages after it (OLDER:
        before --since; GO_ON: after --until, or undated). `listed`: the date discovery gave it
        (see the module docstring)."""
        moment = article.published or (listed if self.undated != "skip" else None)
        if moment is None:
            if keeps_undated(self.window, self.undated):
                return None
            self.skipped += 1
            return Verdict.GO_ON
        if self.window.contains(moment, self.zone):
            return None
        return Verdict.OLDER if self.window.is_older(moment, self.zone) else Verdict.GO_ON

    def stored(self, article: Article, outcome: str) -> None:
        """Count an archived article (a new or updated one) for the notes."""
        if outcome == "unchanged":
            return
        if article.published is None:
            self.kept += 1
        elif article.published.tzinfo is None:
            self.local += 1

    def notes(self, source: str) -> list[str]:
        """One line for each kind of article that was taken (or left) for want of a date or offset."""
        found = []
        if self.skipped:
            why = "--undated skip"
            if self.undated != "skip":
                why = "--since/--until cannot place them; --undated keep archives them"
            found.append(f"{source}: skipped {_articles(self.skipped)} without a publication date ({why})")
        if self.kept:
            found.append(f"{source}: archived {_articles(self.kept)} without a publication date (published null)")
        if self.local:
            found.append(
                f"{source}: archived {_articles(self.local)} whose time has no UTC offset as the site's wall-clock "
                "time (give the source a timezone, or --timezone, to place them)"
            )
        return found


def _articles(count: int) -> str:
    return f"{count} article" if count == 1 else f"{count} articles"
