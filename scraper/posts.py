"""Posts as publishing platforms' APIs give them: plain data that discovery reads from the JSON
(discover/wpapi.py) and the parse layer turns into records (parse/wpjson.py). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from scraper.errors import ParseError

_MAX_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class WpPost:
    """One post as the REST API gives it (HTML fields still rendered HTML).

    `date`/`modified` are the site's wall-clock times without an offset, `date_gmt`/
    `modified_gmt` the same instants in UTC, all as the API wrote them ("2021-02-18T10:46:00")."""

    id: int
    link: str
    date: str
    date_gmt: str
    modified: str
    modified_gmt: str
    title_html: str
    excerpt_html: str
    content_html: str
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    author: int | None
    protected: bool = False  # password-protected: the API lists it with its title, never its text


def _wall_clock(value: str) -> datetime | None:
    """A REST date ("2021-02-18T10:46:00"), naive; None when absent or WordPress's zero date."""
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _with_offset(local: str, gmt: str, post: WpPost) -> datetime | None:
    wall = _wall_clock(local)
    if wall is None:
        return None
    utc = _wall_clock(gmt)
    if utc is None:
        raise ParseError(post.link, f"REST post {post.id} has no date_gmt: cannot tell the site's offset")
    offset = wall - utc
    minutes = round(offset.total_seconds() / 60)
    if abs(offset) > _MAX_OFFSET:
        raise ParseError(post.link, f"REST post {post.id}: date and date_gmt are {offset} apart")
    return wall.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def post_times(post: WpPost) -> tuple[datetime, datetime | None]:
    """Published and modified as aware datetimes with the site's offset at each moment
    (offset = local `date` - `date_gmt`). Modified is None unless it is after published.
    ParseError when the post has no usable date."""
    published = _with_offset(post.date, post.date_gmt, post)
    if published is None:
        raise ParseError(post.link, f"REST post {post.id} has no date")
    try:
        modified = _with_offset(post.modified, post.modified_gmt, post)
    except ParseError:
        modified = None
    if modified is not None and modified <= published:
        modified = None
    return published, modified
