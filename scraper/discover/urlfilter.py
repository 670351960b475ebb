"""Which same-site URLs on a listing page can be articles. Pure string tests on the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from scraper.urls import without_session_ids

# Links that are never articles.
SKIP_SEGMENTS = frozenset(
    {"category", "tag", "tags", "author", "feed", "comments", "trackback", "wp-admin", "wp-content",
     "wp-includes", "wp-json", "search"}
)  # fmt: skip
SKIP_FILES = frozenset({"wp-login.php", "wp-signup.php", "wp-comments-post.php", "xmlrpc.php"})
SKIP_PARAMS = frozenset({"cat", "tag", "author", "feed", "s", "page_id", "replytocom", "attachment_id"})
PAGE_PARAMS = frozenset({"page", "paged"})
SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".mp3", ".mp4")
DATE_ARCHIVE_RE = re.compile(r"^/\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?/?$")
PAGE_SEGMENT_RE = re.compile(r"/page/\d+/?$")


def is_excluded(url: str) -> bool:
    """Category/tag/author/feed/admin/login/comment/pagination/archive/media URLs, the home page
    (judged without session ids: `/?sid=…` is the home page still)."""
    parts = urlsplit(without_session_ids(url))
    path = parts.path or "/"
    lower = path.lower()
    segments = [s for s in lower.split("/") if s]
    if not segments and not parts.query:
        return True  # the home page
    if SKIP_SEGMENTS.intersection(segments) or (segments and segments[-1] in SKIP_FILES):
        return True
    if PAGE_SEGMENT_RE.search(lower) or DATE_ARCHIVE_RE.match(lower) or lower.endswith(SKIP_EXTENSIONS):
        return True
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        name = name.lower()
        if name in SKIP_PARAMS or (name in PAGE_PARAMS and value.strip().isdigit()):
            return True
    return False


_DIGITS_RE = re.compile(r"\d{3,}")
_ARTICLE_SUFFIXES = (".html", ".htm", ".shtml", ".php", ".asp", ".aspx")


def looks_like_article(url: str) -> bool:
    """A URL shaped like a story rather than a section: digits (ids, dates), a long slug, or
    a page file; "/world/" or "/sport/football/" are not (nor "/world/?sid=8f3a…")."""
    parts = urlsplit(without_session_ids(url))
    segments = [s for s in parts.path.split("/") if s]
    if any(_DIGITS_RE.search(s) for s in segments):
        return True
    if any(value.strip().isdigit() for _, value in parse_qsl(parts.query)):
        return True
    last = segments[-1].lower() if segments else ""
    return last.endswith(_ARTICLE_SUFFIXES) or last.count("-") >= 2
