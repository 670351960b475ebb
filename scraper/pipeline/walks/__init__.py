"""The discovery methods, registered in one place, and `auto`: the cheapest complete method first.

    WALKS      name -> the walk class
    methods()  the names a source's `discovery` may list: "auto" and WALKS
    choose(discovery, home, mode) -> [Choice]   the methods to try, in order, each with why

To add a method: a module here with a class like those below (an `offer` and a `walk`; see
base.py), and its class in WALKS.

`auto` asks every registered method what it would cost for this run (`offer`, from the start page
alone): the methods that are complete for the run come first, cheapest first at the number of
articles the run expects (a cron run after an earlier one expects a few; a first run, which is a
full backfill, or a --since/--until backfill, many), at equal cost those that also see an older
article that was edited (an API's modified times, a sitemap's lastmod); the incomplete ones last. A method the site
does not offer is left out; one that turns out not to be there falls back to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from scraper.models import Page
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, NotHere, Offer, Walk, WalkContext
from scraper.pipeline.walks.feed import FeedWalk
from scraper.pipeline.walks.ghost import GhostWalk
from scraper.pipeline.walks.listing import ListingWalk
from scraper.pipeline.walks.sitemap import SitemapWalk
from scraper.pipeline.walks.wordpress import WordPressWalk

WALKS: dict[str, type[Walk]] = {
    walk.name: walk for walk in (WordPressWalk, GhostWalk, SitemapWalk, ListingWalk, FeedWalk)
}
EXPECTED = {Mode.INCREMENTAL: 1, Mode.FIRST: 1000, Mode.BACKFILL: 1000}  # articles a run expects to find
RUNS = {
    Mode.INCREMENTAL: "a cron run after an earlier one",
    Mode.FIRST: "a first run: a full backfill",
    Mode.BACKFILL: "a backfill of the window",
}

__all__ = [
    "WALKS", "Batch", "Candidate", "Choice", "Cost", "NotHere", "Offer", "Walk", "WalkContext", "choose", "methods",
]  # fmt: skip


def methods() -> tuple[str, ...]:
    return ("auto", *WALKS)


@dataclass(frozen=True)
class Choice:
    walk: Walk
    why: str


def choose(discovery: tuple[str, ...], home: Page, mode: Mode) -> list[Choice]:
    """The methods to try, in order: the source's list, with `auto` standing for the ranking."""
    chosen: dict[str, Choice] = {}
    for name in discovery:
        for choice in _auto(home, mode) if name == "auto" else [Choice(WALKS[name](), "as configured")]:
            chosen.setdefault(choice.walk.name, choice)
    return list(chosen.values())


def _auto(home: Page, mode: Mode) -> list[Choice]:
    articles = EXPECTED[mode]
    offers = [(walk, walk.offer(home, mode)) for walk in (cls() for cls in WALKS.values())]
    ranked = sorted(
        ((walk, offer) for walk, offer in offers if offer is not None),
        key=lambda pair: (not pair[1].complete, pair[1].cost.requests(articles), not pair[1].updates),
    )
    summary = "; ".join(f"{walk.name} {_cost(offer, articles)}" for walk, offer in ranked)
    return [Choice(walk, f"{RUNS[mode]}; {offer.why}; ranked: {summary}") for walk, offer in ranked]


def _cost(offer: Offer, articles: int) -> str:
    estimate = f"~{offer.cost.requests(articles):.0f} requests for {articles} articles"
    return estimate if offer.complete else f"{estimate}, incomplete"
