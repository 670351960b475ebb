"""A synthetic WordPress site of any size for the stand-in (tests/wpsite.py `WordPressSite(posts=N)`):
N posts written out from a few hand-made sentences, in Europe/Berlin (so the offsets change across
daylight saving time), 12 categories, 180 tags (two pages of terms), 4 authors; the REST API's
answers, a home page and older listing pages (10 posts each), and for each post the record it must
make. The expected records are computed from the same data, never from scraper's output.

Every 150th post from the sixth on (one of them on the home page) is password-protected, as a real
WordPress shows one: the API lists it with its title and `"protected": true` but no text, the
listing's item carries `post-password-required`, and its page is a password form. It has no
expected record.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")
NEWEST = datetime(2024, 11, 20, 18, 40, tzinfo=ZONE)
STEP = timedelta(hours=13, minutes=7)  # between two posts: 580 posts reach back across two DST changes
FIRST_ID = 40_000
PER_PAGE = 10
CATEGORIES = ("Politics", "Economy", "Culture", "Sport", "Science", "World", "Health", "Local", "Opinion",
              "Business", "Travel", "Weather & Climate")  # fmt: skip
TAGS = tuple(f"Topic {n:03d}" for n in range(1, 181))
AUTHORS = ("Ada Brenner", "Jonas Kruger", "Mira Salo", "Piet de Vries")
SUBJECTS = ("The city council", "A regional court", "The harbour authority", "Local farmers", "The university",
            "A new survey", "The transport ministry", "Residents of the old town")  # fmt: skip
VERBS = ("approved", "questioned", "postponed", "welcomed", "rejected", "reviewed")
OBJECTS = ("a plan for new cycle lanes", "the budget for next year", "a report on river water quality",
           "changes to the tram timetable", "the rules for street markets", "a proposal for night buses")  # fmt: skip
SENTENCES = (
    "Officials said the decision followed months of consultation with neighbourhood groups.",
    "Critics argued that the figures presented at the meeting were incomplete.",
    "A spokesperson said a final vote is expected before the end of the quarter.",
    "Similar measures were introduced in two neighbouring districts last year.",
    "The opposition called for an independent review of the costs involved.",
    "Local businesses have asked to be consulted before any work begins.",
)


@dataclass(frozen=True)
class Post:
    number: int
    slug: str
    title: str
    lede: str  # a hand-written excerpt, or "" (WordPress's own)
    paragraphs: tuple[str, ...]
    published: datetime
    modified: datetime | None
    categories: tuple[int, ...]  # term ids, in the API's order
    tags: tuple[int, ...]
    author: int
    protected: bool = False  # password-protected: listed, never readable

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"


def build(count: int) -> list[Post]:
    """`count` posts, newest first."""
    posts = []
    for i in range(count):
        published = (NEWEST.astimezone(UTC) - i * STEP).astimezone(ZONE)
        subject, verb, thing = SUBJECTS[i % len(SUBJECTS)], VERBS[i % len(VERBS)], OBJECTS[(i // 3) % len(OBJECTS)]
        title = f"{subject} {verb} {thing} ({i + 1})"
        body = [f"{subject} {verb} {thing} on {published:%A}, the {i + 1}th item in this series."]
        body += [SENTENCES[(i + k) % len(SENTENCES)] for k in range(2 + i % 3)]
        lede = f"What {subject.lower()} decided, and why it matters & what comes next." if i % 4 == 0 else ""
        modified = published + timedelta(hours=5, minutes=30) if i % 5 == 0 else None
        categories = (i % len(CATEGORIES) + 1,) + (((i + 5) % len(CATEGORIES) + 1,) if i % 2 else ())
        tags = tuple(sorted({(i * 7 + k * 31) % len(TAGS) + 1 for k in range(3)}))
        posts.append(Post(FIRST_ID + count - i, f"item-{i + 1}-{verb}", title, lede, tuple(body), published,
                          modified, categories, tags, i % len(AUTHORS) + 1, i % 150 == 5))  # fmt: skip
    return posts


def _wall(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def api_post(post: Post, origin: str) -> dict[str, object]:
    """The post as `/wp/v2/posts` gives it (with `_fields` of the record)."""
    content = "".join(f"<p>{html.escape(p)}</p>\n\n" for p in post.paragraphs)
    if post.lede:
        excerpt = f"<p>{html.escape(post.lede)}</p>\n"
    else:  # WordPress's own: the first 55 words and [&hellip;]
        words = " ".join(" ".join(post.paragraphs).split()[:55])
        excerpt = f"<p>{html.escape(words)} [&hellip;]</p>\n"
    modified = post.modified or post.published
    if post.protected:  # what WordPress gives a visitor without the password
        content, excerpt = "", ""
    return {
        "id": post.number, "date": _wall(post.published), "date_gmt": _gmt(post.published),
        "modified": _wall(modified), "modified_gmt": _gmt(modified), "link": origin + post.path,
        "title": {"rendered": html.escape(post.title, quote=False)}, "excerpt": {"rendered": excerpt, "protected": post.protected},
        "content": {"rendered": content, "protected": post.protected}, "categories": list(post.categories),
        "tags": list(post.tags), "author": post.author,
    }  # fmt: skip


def terms() -> dict[str, list[dict[str, object]]]:
    def listed(names: tuple[str, ...]) -> list[dict[str, object]]:
        return [{"id": n, "name": html.escape(name)} for n, name in enumerate(names, start=1)]

    return {"categories": listed(CATEGORIES), "tags": listed(TAGS), "users": listed(AUTHORS)}


def index(origin: str) -> dict[str, object]:
    return {"name": "Synthetic Gazette", "url": origin, "home": origin, "gmt_offset": 1,
            "timezone_string": "Europe/Berlin", "namespaces": ["oembed/1.0", "wp/v2"], "routes": {}}  # fmt: skip


def expected(post: Post, origin: str) -> dict[str, object]:
    """The record the post must make (the fields the REST API gives)."""
    categories = [CATEGORIES[i - 1] for i in post.categories]
    return {
        "number": post.number, "url": origin + post.path, "title": post.title, "lede": post.lede,
        "body": "\n\n".join(post.paragraphs), "published": post.published.isoformat(),
        "modified": post.modified.isoformat() if post.modified else None, "category": categories[0],
        "categories": categories, "tags": [TAGS[i - 1] for i in post.tags], "author": AUTHORS[post.author - 1],
        "language": "en-GB",
    }  # fmt: skip


def category_slug(term_id: int) -> str:
    return "".join(c if c.isalnum() else "-" for c in CATEGORIES[term_id - 1].lower()).replace("---", "-")


def listing_page(posts: list[Post], page: int, origin: str, category: int | None = None) -> bytes | None:
    """The home page (page 1) or /page/N/: 10 posts each, newest first, WordPress theme markup; with
    `category`, that category's archive (/category/SLUG/, /category/SLUG/page/N/), which names its
    term in `<link rel="alternate" type="application/json">` as WordPress 5.5+ does."""
    if category is not None:
        posts = [post for post in posts if category in post.categories]
    chunk = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
    if not chunk:
        return None
    items = "".join(
        f'<article id="post-{p.number}" class="post-{p.number} post type-post status-publish'
        f'{" post-password-required" if p.protected else ""} hentry"><h2 class="entry-title">'
        f'<a href="{p.path}" rel="bookmark">{"Protected: " if p.protected else ""}{html.escape(p.title)}</a></h2>'
        f'<time class="entry-date published" datetime="{p.published.isoformat()}">{p.published:%B %d, %Y}</time>'
        "</article>\n"
        for p in chunk
    )
    prefix = f"/category/{category_slug(category)}" if category is not None else ""
    older = f'<a class="next page-numbers" href="{prefix}/page/{page + 1}/">Older posts</a>' if page * PER_PAGE < len(posts) else ""
    twin, kind = "", "home blog"
    if category is not None:
        twin = f'<link rel="alternate" type="application/json" href="{origin}/wp-json/wp/v2/categories/{category}">'
        kind = f"archive category category-{category_slug(category)} category-{category}"
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>Synthetic Gazette</title>'
        f'<link rel="https://api.w.org/" href="{origin}/wp-json/">{twin}'
        f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{origin}/feed/"></head>'
        f'<body class="{kind}"><main id="main" class="site-main">\n{items}'
        f'<nav class="navigation pagination">{older}</nav></main></body></html>'
    ).encode()


def password_page(path: str, origin: str) -> bytes:
    """A password-protected post's page as WordPress shows it to a visitor: the title and a
    password form where the text would be."""
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>Protected: {path}</title>'
        f'<link rel="https://api.w.org/" href="{origin}/wp-json/"></head>'
        '<body class="post-template-default single single-post single-format-standard"><main id="main">'
        '<article class="post type-post status-publish post-password-required hentry">'
        f'<h1 class="entry-title">Protected: {path}</h1><div class="entry-content">'
        f'<form action="{origin}/wp-login.php?action=postpass" class="post-password-form" method="post">'
        "<p>This content is password protected. To view it please enter your password below:</p>"
        '<p><label>Password: <input name="post_password" type="password" size="20" /></label>'
        '<input type="submit" name="Submit" value="Enter" /></p></form></div></article></main></body></html>'
    ).encode()
