"""The plain data discovery hands to the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Link:
    """A candidate article URL found in a feed or a listing page.

    `url` is absolute, resolved against the page or feed URL, without a fragment, and always
    http(s). `published` is timezone-aware when the source gives an offset, else naive.
    """

    url: str
    published: datetime | None = None
    title: str = ""


@dataclass(frozen=True)
class Listing:
    """What a home, section, category or tag page points to.

    `links` are candidate article URLs in page order (newest first on news sites), deduplicated;
    `next_url` is the next (older) page or None; `feeds` are the feed URLs the page advertises.
    """

    links: tuple[Link, ...]
    next_url: str | None
    feeds: tuple[str, ...]
