"""A synthetic WordPress-style news site for the crawl benchmark, served on 127.0.0.1 with a fixed
added latency per response, from a process of its own.

    python benchmarks/crawl_site.py --articles 1000 --latency-ms 20      # serve until Ctrl-C / stdin EOF

The site is built in memory from two saved Kabul Post pages (`fixtures/sites/kabul-post`): every
article page is one of the two article templates with its own title, lede, post id, dates, URL and
a few generated paragraphs (~30-42 KB each); the home page `/` and `/page/2/` ... `/page/K/` are
the saved home page's markup with 10 posts each, newest first, and `rel="next"`/`rel="prev"` links;
`/feed/` is an RSS feed of the 10 newest. Listing pages and the feed carry an ETag and answer a
matching If-None-Match with 304.

Every response (404s and 304s included) is sent after `latency` seconds. The server speaks
HTTP/1.1 with keep-alive (one thread per connection, ThreadingHTTPServer) and counts what it serves;
`GET /__stats` returns the counts as JSON and `GET /__reset` zeroes them (neither is counted nor
delayed). The benchmark uses `SiteProcess`, which starts this module as a child process (so the
server never shares the benchmark's or a crawler's GIL) and reads the port it prints.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
KABUL = ROOT / "fixtures" / "sites" / "kabul-post"
FIXTURE_ORIGIN = "https://kabulpost.example"
PER_PAGE = 10
ZONE = timezone(timedelta(hours=4, minutes=30))
NEWEST = datetime(2024, 6, 30, 18, 0, tzinfo=ZONE)
STEP = timedelta(hours=5, minutes=17)  # between two articles' publication times
FIRST_ID = 20_000


@dataclass(frozen=True)
class Template:
    """A saved article page and the strings in it that make it that article."""

    path: str
    title: str
    lede: str
    number: int
    published: str
    modified: str | None
    shown_date: str


TEMPLATES = (
    Template(
        path="/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/",
        title="Stoltenberg: the promise to leave Afghanistan conditions-based",
        lede="Stoltenberg says the main issue is that Taliban must reduce violence and negotiate in good faith.",
        number=16981,
        published="2021-02-18T10:46:00+04:30",
        modified="2021-02-18T15:32:00+04:30",
        shown_date="February 18, 2021",
    ),
    Template(
        path="/2021/02/18/roadside-bomb-hits-minibus-in-parwan-killing-three/",
        title="Roadside bomb hits minibus in Parwan, killing three",
        lede="Three civilians were killed and five wounded when a roadside bomb hit a minibus in Parwan province "
        "on Thursday afternoon, local officials said.",
        number=16994,
        published="2021-02-18T20:30:00+04:30",
        modified=None,
        shown_date="February 18, 2021",
    ),
)

PLACES = (
    "Kabul", "Herat", "Kandahar", "Balkh", "Nangarhar", "Parwan", "Bamyan", "Kunduz", "Ghazni", "Helmand",
    "Badakhshan", "Logar", "Paktia", "Takhar", "Faryab", "Samangan",
)  # fmt: skip
SUBJECTS = (
    "Officials", "Farmers", "Traders", "Teachers", "Doctors", "Elders", "Students", "Ministers", "Envoys",
    "Residents", "Police", "Engineers", "Aid workers", "Women's groups", "Shopkeepers", "Drivers",
)  # fmt: skip
VERBS = (
    "announce", "warn of", "call for", "welcome", "reject", "plan", "demand", "report", "expect", "debate",
    "prepare for", "celebrate", "protest over", "question", "back", "delay",
)  # fmt: skip
OBJECTS = (
    "new water project", "rising bread prices", "talks in Doha", "road repairs", "school reopening",
    "vaccination drive", "power cuts", "wheat harvest", "border crossing rules", "teacher salaries",
    "new hospital wing", "flood defences", "election timetable", "mobile network outage", "bus fares",
    "drought relief", "cricket final", "saffron exports", "airport upgrade", "court ruling",
)  # fmt: skip
WORDS = (
    "the", "province", "said", "on", "Tuesday", "officials", "would", "begin", "next", "week", "after", "months",
    "of", "delays", "residents", "told", "reporters", "that", "prices", "have", "risen", "since", "winter",
    "local", "council", "meeting", "was", "held", "in", "capital", "and", "several", "districts", "government",
    "spokesman", "confirmed", "budget", "for", "project", "had", "been", "approved", "by", "ministry", "while",
    "critics", "argued", "plan", "did", "not", "go", "far", "enough", "security", "roads", "markets", "schools",
    "families", "returned", "to", "their", "homes", "before", "the", "spring", "season", "according", "figures",
)  # fmt: skip


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    kind: str  # listing, article, feed, robots or other (a 404)
    etag: str | None = None


@dataclass(frozen=True)
class Post:
    number: int
    title: str
    lede: str
    path: str
    published: datetime
    modified: datetime | None
    category: str
    template: int


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _shown(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def make_posts(count: int, seed: int = 1) -> list[Post]:
    """`count` posts, newest first; deterministic for a seed."""
    rng = random.Random(seed)
    posts: list[Post] = []
    slugs: set[str] = set()
    for index in range(count):
        number = FIRST_ID + count - index
        place, subject = rng.choice(PLACES), rng.choice(SUBJECTS)
        title = f"{place}: {subject.lower()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}".capitalize()
        title = title[0].upper() + title[1:]
        published = NEWEST - index * STEP
        slug = _slug(title)
        base, n = slug, 2
        while f"{published:%Y/%m/%d}/{slug}" in slugs:
            slug, n = f"{base}-{n}", n + 1
        slugs.add(f"{published:%Y/%m/%d}/{slug}")
        lede = f"{subject} in {place} province said the plans would be settled within {rng.randint(2, 9)} weeks."
        modified = published + timedelta(hours=rng.randint(1, 6)) if rng.random() < 0.5 else None
        posts.append(
            Post(
                number=number,
                title=title,
                lede=lede,
                path=f"/{published:%Y/%m/%d}/{slug}/",
                published=published,
                modified=modified,
                category=rng.choice(("Politics", "Economy", "Security", "Health", "Sport", "World")),
                template=index % len(TEMPLATES),
            )
        )
    return posts


def _paragraphs(rng: random.Random, count: int) -> str:
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(45, 90))]
        out.append("<p>" + " ".join(words).capitalize() + ".</p>\n")
    return "\n".join(out)


class SiteBuilder:
    """Renders pages from the saved Kabul Post templates, for one origin."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.articles = [self._load(KABUL / t.path.strip("/") / "index.html") for t in TEMPLATES]
        home = self._load(KABUL / "index.html")
        first = home.find("\n<article ")
        last = home.find("</main><!-- #main -->")
        if first < 0 or last < 0:
            raise RuntimeError(f"{KABUL / 'index.html'}: the home page template changed; update crawl_site.py")
        self.home_head = home[:first]
        self.home_tail = "\t\t" + home[last:]

    def _load(self, path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text.replace(FIXTURE_ORIGIN, self.origin)

    def article(self, post: Post) -> bytes:
        template = TEMPLATES[post.template]
        html = self.articles[post.template]
        replacements = [
            (template.path, post.path),
            (template.title, post.title),
            (template.lede, post.lede),
            (template.published, post.published.isoformat()),
            (template.shown_date, _shown(post.published)),
            (f"?p={template.number}", f"?p={post.number}"),
            (f"postid-{template.number}", f"postid-{post.number}"),
            (f"post-{template.number}", f"post-{post.number}"),
            (f"'{template.number}'", f"'{post.number}'"),
        ]
        if template.modified:
            replacements.append((template.modified, (post.modified or post.published).isoformat()))
        for old, new in replacements:
            if old not in html:
                raise RuntimeError(f"article template {template.path}: {old!r} not found; update crawl_site.py")
            html = html.replace(old, new)
        rng = random.Random(post.number)
        extra = _paragraphs(rng, rng.randint(2, 5))
        marker = '<div class="entry-content">\n'
        html = html.replace(marker, marker + "\n" + extra, 1)
        return html.encode("utf-8")

    def listing(self, posts: list[Post], page: int, pages: int) -> bytes:
        path = "/" if page == 1 else f"/page/{page}/"
        head = self.home_head
        links = [f'<link rel="canonical" href="{self.origin}{path}" />']
        if page > 1:
            links.append(f'<link rel="prev" href="{"/" if page == 2 else f"/page/{page - 1}/"}" />')
        if page < pages:
            links.append(f'<link rel="next" href="/page/{page + 1}/" />')
        head = re.sub(r'\t<link rel="next" href="[^"]*" />\n', "", head)
        head = re.sub(r'<link rel="canonical" href="[^"]*" />', "\n\t".join(links), head)
        head = head.replace('<meta property="og:url" content="' + self.origin + '/" />',
                            f'<meta property="og:url" content="{self.origin}{path}" />')  # fmt: skip
        if page > 1:
            head = head.replace(
                "<title>Kabul Post &#8211;", f"<title>Kabul Post &#8211; Page {page} of {pages} &#8211;"
            )
            head = head.replace('<body class="home blog ', f'<body class="blog paged paged-{page} ')
        blocks = "".join(self._block(post) for post in posts)
        return (head + "\n" + blocks + self._pagination(page, pages) + self.home_tail).encode("utf-8")

    def _block(self, post: Post) -> str:
        url = post.path
        cat = _slug(post.category)
        updated = (
            f'<time class="updated" datetime="{post.modified.isoformat()}">{_shown(post.modified)}</time>'
            if post.modified
            else ""
        )
        return f"""<article id="post-{post.number}" class="post-{post.number} post type-post status-publish format-standard has-post-thumbnail hentry category-{cat}">
	<a class="post-thumbnail" href="{url}" aria-hidden="true" tabindex="-1"><img width="350" height="200" src="{self.origin}/wp-content/uploads/{post.published:%Y/%m}/photo-{post.number}-350x200.jpg" class="attachment-newsmag-thumb size-newsmag-thumb wp-post-image" alt="{post.title}" loading="lazy" /></a>
	<header class="entry-header">
		<span class="cat-links"><a href="/category/{cat}/" rel="category tag">{post.category}</a></span>
		<h2 class="entry-title"><a href="{url}" rel="bookmark">{post.title}</a></h2>
		<div class="entry-meta">
			<span class="posted-on"><a href="{url}" rel="bookmark"><time class="entry-date published" datetime="{post.published.isoformat()}">{_shown(post.published)}</time>{updated}</a></span>
			<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/farid-ahmadzai/">Farid Ahmadzai</a></span></span>
		</div><!-- .entry-meta -->
	</header><!-- .entry-header -->
	<div class="entry-summary">
		<p>{post.lede}</p>
	</div><!-- .entry-summary -->
	<a class="read-more" href="{url}">Read more</a>
</article><!-- #post-{post.number} -->

"""  # noqa: E501

    def _pagination(self, page: int, pages: int) -> str:
        def href(n: int) -> str:
            return "/" if n == 1 else f"/page/{n}/"

        parts = []
        if page > 1:
            parts.append(f'<a class="prev page-numbers" href="{href(page - 1)}">Newer posts</a>')
        for n in sorted({1, page - 1, page, page + 1, pages} & set(range(1, pages + 1))):
            if n == page:
                parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                parts.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
        if page < pages:
            parts.append(f'<a class="next page-numbers" href="{href(page + 1)}">Older posts</a>')
        return (
            '\n\t<nav class="navigation pagination" role="navigation" aria-label="Posts">\n'
            '\t\t<h2 class="screen-reader-text">Posts navigation</h2>\n'
            f'\t\t<div class="nav-links">{"".join(parts)}</div>\n\t</nav>\n\n'
        )

    def feed(self, posts: list[Post]) -> bytes:
        items = "".join(
            f"""
	<item>
		<title>{p.title}</title>
		<link>{self.origin}{p.path}</link>
		<pubDate>{format_datetime(p.published)}</pubDate>
		<category><![CDATA[{p.category}]]></category>
		<guid isPermaLink="false">{self.origin}/?p={p.number}</guid>
		<description><![CDATA[{p.lede}]]></description>
	</item>"""
            for p in posts
        )
        newest = format_datetime(posts[0].published) if posts else format_datetime(NEWEST)
        return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
	<title>Kabul Post</title>
	<atom:link href="{self.origin}/feed/" rel="self" type="application/rss+xml" />
	<link>{self.origin}</link>
	<description>Independent news from Afghanistan</description>
	<lastBuildDate>{newest}</lastBuildDate>
	<language>en-US</language>{items}
</channel>
</rss>
""".encode()


def build_site(origin: str, articles: int, seed: int = 1) -> dict[str, Resource]:
    """Every page of the site, by path."""
    builder = SiteBuilder(origin)
    posts = make_posts(articles, seed)
    site: dict[str, Resource] = {}
    html = "text/html; charset=UTF-8"
    for post in posts:
        site[post.path] = Resource(builder.article(post), html, "article")
    pages = max(1, -(-len(posts) // PER_PAGE))
    for page in range(1, pages + 1):
        chunk = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
        body = builder.listing(chunk, page, pages)
        site["/" if page == 1 else f"/page/{page}/"] = Resource(body, html, "listing", _etag(body))
    feed = builder.feed(posts[:PER_PAGE])
    site["/feed/"] = Resource(feed, "application/rss+xml; charset=UTF-8", "feed", _etag(feed))
    site["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /wp-admin/\n", "text/plain", "robots")
    return site


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


class Stats:
    """Request counters, shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.by_kind: dict[str, int] = {}
        self.by_status: dict[str, int] = {}
        self.requests = 0
        self.bytes = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.busy = 0.0  # sum of request durations
        self.first: float | None = None
        self.last: float | None = None

    def snapshot(self) -> dict[str, object]:
        with self.lock:
            span = (self.last - self.first) if self.first is not None and self.last is not None else 0.0
            return {
                "requests": self.requests, "by_kind": dict(self.by_kind), "by_status": dict(self.by_status),
                "bytes": self.bytes, "peak_in_flight": self.peak_in_flight, "busy_seconds": round(self.busy, 4),
                "span_seconds": round(span, 4), "mean_in_flight": round(self.busy / span, 3) if span else 0.0,
            }  # fmt: skip


def make_server(pages: dict[str, Resource], latency: float, port: int = 0) -> tuple[ThreadingHTTPServer, Stats]:
    """A server for `pages` (looked up on each request, so it may be filled after binding)."""
    stats = Stats()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # As production servers do on keep-alive connections: without TCP_NODELAY, Nagle's
        # algorithm holds each response's last segment until the client's delayed ACK (~40 ms).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/__stats":
                return self._send(200, {"Content-Type": "application/json"}, json.dumps(stats.snapshot()).encode())
            if path == "/__reset":
                with stats.lock:
                    stats.reset()
                return self._send(200, {"Content-Type": "text/plain"}, b"ok")
            started = time.monotonic()
            with stats.lock:
                stats.in_flight += 1
                stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
                if stats.first is None:
                    stats.first = started
            resource = pages.get(path)
            try:
                time.sleep(latency)
                if resource is None:
                    status, kind, body = 404, "other", b"not found"
                    headers = {"Content-Type": "text/plain"}
                elif resource.etag and resource.etag in self.headers.get("If-None-Match", ""):
                    status, kind, body = 304, resource.kind, b""
                    headers = {"ETag": resource.etag}
                else:
                    status, kind, body = 200, resource.kind, resource.body
                    headers = {"Content-Type": resource.content_type}
                    if resource.etag:
                        headers["ETag"] = resource.etag
                self._send(status, headers, body)
            finally:
                ended = time.monotonic()
                with stats.lock:
                    stats.in_flight -= 1
                    stats.requests += 1
                    stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
                    stats.by_status[str(status)] = stats.by_status.get(str(status), 0) + 1
                    stats.bytes += len(body)
                    stats.busy += ended - started
                    stats.last = ended

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    return Server(("127.0.0.1", port), Handler), stats


def serve(articles: int, latency: float, port: int = 0, seed: int = 1) -> None:
    """Bind, build the site for the bound origin, print `READY <origin> <pages>`, serve until
    standard input closes."""
    site: dict[str, Resource] = {}
    server, _ = make_server(site, latency, port)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    site.update(build_site(origin, articles, seed))
    listing = sum(1 for r in site.values() if r.kind == "listing")
    sizes = sorted(len(r.body) for r in site.values() if r.kind == "article")
    print(f"READY {origin} listing={listing} articles={len(sizes)} "
          f"article_kb_min={sizes[0] // 1024} article_kb_median={sizes[len(sizes) // 2] // 1024} "
          f"article_kb_max={sizes[-1] // 1024}", flush=True)  # fmt: skip
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        sys.stdin.read()  # the parent closes our stdin (or exits) to stop us
    server.shutdown()
    server.server_close()


class SiteProcess:
    """The site server as a child process: `with SiteProcess(1000, 0.02) as site: site.url, site.stats()`."""

    def __init__(self, articles: int, latency: float, seed: int = 1):
        self.articles = articles
        self.latency = latency
        self.seed = seed
        self.proc: subprocess.Popen[str] | None = None
        self.origin = ""
        self.facts: dict[str, int] = {}

    def __enter__(self) -> SiteProcess:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--articles", str(self.articles),
               "--latency-ms", str(self.latency * 1000), "--seed", str(self.seed)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            self.__exit__(None, None, None)
            raise RuntimeError(f"the site server did not start: {line!r}")
        self.origin = line[1]
        self.facts = {k: int(v) for k, v in (item.split("=") for item in line[2:])}
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def url(self) -> str:
        return self.origin + "/"

    def stats(self) -> dict[str, object]:
        with urllib.request.urlopen(self.origin + "/__stats", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        with urllib.request.urlopen(self.origin + "/__reset", timeout=10) as response:
            response.read()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    serve(args.articles, args.latency_ms / 1000, args.port, args.seed)


if __name__ == "__main__":
    main()
