"""A news site on a loopback server whose pages follow a simulated clock, for histories of many
runs over simulated days (no sleeping): stories appear when their time comes, and from a given
moment the site may go silent (publishes nothing more), change its layout (no byline, bodies half
as long), answer every page with a bot check at status 200, or answer 503.

    clock = SimClock(datetime(2026, 1, 1, tzinfo=UTC))
    site = Newsroom(loopback(), "north", clock, seed=1)
    site.layout_from = clock.now + timedelta(days=40)
    ... clock.advance(hours=6); scrape; clock.advance(...) ...
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.servers import LoopbackServer, Reply

TEXT = (
    "the council said on monday that the new budget would fund schools roads and clinics across the "
    "province after months of talks between the parties while critics warned that the plan left out "
    "farmers in the north where the harvest failed last year and prices rose sharply in the markets "
    "officials expect the first payments to arrive before the rains begin in the spring and residents "
    "hope the money will reach the villages that waited longest for help from the capital"
)
WORDS = tuple(TEXT.split())
AUTHORS = ("Amina Rahimi", "Tom Becker", "Lena Ortiz", "Samir Haidari", "Grace Liu", "Omar Nazari")
CATEGORIES = ("Politics", "Economy", "Health", "Culture", "Sport")
PER_PAGE = 20
BOT_WALL = (
    "<!doctype html><html lang=\"en\"><head><title>Just a moment...</title></head><body>"
    "<div id=\"challenge-form\"><h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>"
    "</div></body></html>"
)


class SimClock:
    """The simulated time, shared by the sites and the command line (Hooks(clock=clock))."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Story:
    number: int
    published: datetime
    title: str
    lede: str
    author: str
    category: str
    paragraphs: tuple[str, ...]

    def path(self) -> str:
        slug = "-".join(self.title.lower().split()[:6])
        return f"/story/{self.number}/{slug}/"


class Newsroom:
    """One site: `per_day` stories a day (at random times from 06:00 to 22:00 UTC) from `start`."""

    def __init__(
        self, server: LoopbackServer, name: str, clock: SimClock, *, seed: int, per_day: tuple[int, int] = (8, 14),
        start: datetime | None = None, days: int = 90,
    ):  # fmt: skip
        self.server = server
        self.name = name
        self.clock = clock
        self.silent_from: datetime | None = None  # nothing published from then on
        self.layout_from: datetime | None = None  # pages served from then on: no byline, half the body
        self.wall_from: datetime | None = None  # every page from then on: a bot check, at 200
        self.down_from: datetime | None = None  # every page from then on: 503
        rng = random.Random(seed)
        first = (start or clock.now).replace(hour=0, minute=0, second=0, microsecond=0)
        stories = []
        for day in range(days):
            for _ in range(rng.randint(*per_day)):
                at = first + timedelta(days=day, minutes=rng.randint(6 * 60, 22 * 60))
                stories.append(self._story(rng, 1000 + len(stories), at))
        self.stories = sorted(stories, key=lambda s: s.published)
        self._by_path = {story.path(): story for story in self.stories}
        server.serve("/", self._answer)

    @property
    def url(self) -> str:
        return self.server.url("/")

    def _story(self, rng: random.Random, number: int, at: datetime) -> Story:
        def sentence(low: int, high: int) -> str:
            words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
            return " ".join(words).capitalize() + "."

        title = f"{self.name.title()} {sentence(5, 9).rstrip('.')} {number}"
        words = int(rng.lognormvariate(6.3, 0.25))  # about 550 words
        paragraphs: list[str] = []
        while sum(len(p.split()) for p in paragraphs) < words:
            paragraphs.append(" ".join(sentence(10, 22) for _ in range(rng.randint(3, 5))))
        return Story(number, at, title, sentence(14, 24), rng.choice(AUTHORS), rng.choice(CATEGORIES), tuple(paragraphs))

    def published(self) -> list[Story]:
        """What the site shows now, newest first."""
        now = self.clock.now
        cut = self.silent_from or now
        return [story for story in reversed(self.stories) if story.published <= now and story.published < cut]

    def _since(self, moment: datetime | None) -> bool:
        return moment is not None and self.clock.now >= moment

    def _answer(self, target: str) -> Reply:
        path = target.split("?", 1)[0]
        if self._since(self.down_from):
            return Reply(503, {"Content-Type": "text/html"}, "<html><body>Service unavailable</body></html>")
        if path == "/robots.txt":
            return Reply(404, body="")
        if self._since(self.wall_from):
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, BOT_WALL)
        if path == "/" or path.startswith("/page/"):
            page = int(path.strip("/").split("/")[-1]) if path.startswith("/page/") else 1
            return self._listing(page)
        story = self._by_path.get(path)
        if story is None or story not in self.published():
            return Reply(404, {"Content-Type": "text/html"}, "<html><head><title>Not found</title></head></html>")
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, self._article(story))

    def _listing(self, page: int) -> Reply:
        shown = self.published()
        items = shown[(page - 1) * PER_PAGE : page * PER_PAGE]
        links = "\n".join(
            f'<li><h2><a href="{s.path()}">{html.escape(s.title)}</a></h2><p>{html.escape(s.lede)}</p></li>'
            for s in items
        )
        older = f'<a rel="next" href="/page/{page + 1}/">Older posts</a>' if len(shown) > page * PER_PAGE else ""
        body = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{self.name.title()} News</title>'
            f'<link rel="canonical" href="{self.server.url("/")}"></head><body><header><nav><a href="/">Home</a>'
            f'</nav></header><main><ul class="stories">{links}</ul>{older}</main><footer>© {self.name}</footer>'
            "</body></html>"
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body)

    def _article(self, story: Story) -> str:
        url = self.server.url(story.path())
        iso = story.published.isoformat(timespec="seconds")
        changed = self._since(self.layout_from)
        paragraphs = story.paragraphs[: max(1, len(story.paragraphs) // 2)] if changed else story.paragraphs
        ld: dict[str, object] = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
            "datePublished": iso, "articleSection": story.category, "image": self.server.url(f"/img/{story.number}.jpg"),
        }  # fmt: skip
        author_meta = byline = ""
        if not changed:
            ld["author"] = {"@type": "Person", "name": story.author}
            author_meta = f'<meta name="author" content="{story.author}">'
            byline = f'<p class="byline">By <a rel="author" href="/author/{story.author.split()[0].lower()}/">{story.author}</a></p>'
        body_class = "story-text" if changed else "article-body"
        text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(story.title)}</title>'
            f'<link rel="canonical" href="{url}"><meta property="og:type" content="article">'
            f'<meta property="og:image" content="{self.server.url(f"/img/{story.number}.jpg")}">'
            f'<meta property="article:published_time" content="{iso}">{author_meta}'
            f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
            f'<header><nav><a href="/">Home</a></nav></header><main><article><h1>{html.escape(story.title)}</h1>'
            f'<p class="standfirst">{html.escape(story.lede)}</p>{byline}'
            f'<time datetime="{iso}">{story.published:%d %B %Y %H:%M}</time>'
            f'<div class="{body_class}">{text}</div></article></main><footer><p>© {self.name}</p></footer>'
            "</body></html>"
        )


def start_of(day: datetime) -> datetime:
    return day.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
