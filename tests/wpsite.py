"""A live-WordPress stand-in on 127.0.0.1 for tests: the saved kabul-post site, its links pointing at
the server itself, and a REST API that honours `after`, `before`, `modified_after`, `orderby`,
`page`, `per_page` and `_embed` the way WordPress 6.1 does (newest first, X-WP-Total /
X-WP-TotalPages, an error past the last page; a bound with an offset is read as that instant, one
without as the site's wall-clock time; `_embed=author,wp:term` embeds the names only when `_links`
is among the `_fields`).

    with WordPressSite() as site:
        scrape(site.url("/"), "--since", "2021-02-18")
        site.paths()   # every request path, in order

With `posts=N` it is a synthetic site of N posts instead (tests/wpsynthetic.py: Europe/Berlin, 180
tags over two pages of terms; `site.expected[number]` is each post's record).

With `validators=True`, feeds, sitemaps and API answers carry an ETag and answer a matching
If-None-Match with 304 (HTML pages carry none, as on a WordPress without a page cache);
`site.conditional` lists the paths that were asked for conditionally. `robots="..."` serves that
robots.txt instead of the saved one.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tests import wpsynthetic

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "kabul-post"
HOST = "https://kabulpost.example"


class WordPressSite:
    def __init__(
        self,
        *,
        api: bool = True,
        folder: Path = SITE,
        validators: bool = False,
        max_per_page: int = 100,
        posts: int | None = None,
        robots: str | None = None,
        embed: bool = True,
    ):
        """`max_per_page`: the most posts one REST page holds, whatever `per_page` asks (a site may
        lower WordPress's 100). `posts`: a synthetic site of that many posts, not `folder`. `embed`:
        False for a WordPress before 5.4, which embeds nothing when `_fields` is given."""
        self.embed = embed
        self.folder = folder
        self.robots = robots
        self.max_per_page = max_per_page
        self.api = api
        self.validators = validators
        self.requests: list[str] = []
        self.conditional: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.synthetic = wpsynthetic.build(posts) if posts is not None else None
        self.zone = wpsynthetic.ZONE if self.synthetic is not None else ZoneInfo("Asia/Kabul")
        self.expected: dict[int, dict[str, object]] = {}
        self.protected: set[str] = set()  # paths of password-protected posts (their pages are password forms)
        if self.synthetic is not None:
            self.posts = [wpsynthetic.api_post(post, self.origin) for post in self.synthetic]
            self.terms = wpsynthetic.terms()
            self.expected = {
                post.number: wpsynthetic.expected(post, self.origin) for post in self.synthetic if not post.protected
            }
            self.protected = {post.path for post in self.synthetic if post.protected}
        else:
            pages = [self._load(f"wp-json/wp/v2/posts/page-{n}.json") for n in range(1, 10)]
            self.posts = [post for page in pages if isinstance(page, list) for post in page]
            self.terms = {kind: self._load(f"wp-json/wp/v2/{kind}.json") for kind in ("categories", "tags", "users")}

    def _load(self, name: str) -> list[dict]:
        path = self.folder / name
        return json.loads(self._rewrite(path.read_bytes())) if path.exists() else []

    def _rewrite(self, data: bytes) -> bytes:
        escaped = (HOST.replace("/", "\\/").encode(), self.origin.replace("/", "\\/").encode())  # JSON's "\/"
        return data.replace(HOST.encode(), self.origin.encode()).replace(*escaped)

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def paths(self) -> list[str]:
        with self._lock:
            return list(self.requests)

    def __enter__(self) -> WordPressSite:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- answers ----------------------------------------------------------------------------
    def answer(self, target: str, if_none_match: str | None = None) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(target)
            if if_none_match:
                self.conditional.append(target)
        status, headers, body = self._answer(target)
        if self.validators and status == 200 and not headers["Content-Type"].startswith("text/html"):
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if if_none_match == etag:
                return 304, {"ETag": etag}, b""
            headers = {**headers, "ETag": etag}
        return status, headers, body

    def _answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/wp-json") or query.get("rest_route"):
            return self._api(parts.path.removeprefix("/wp-json") or "/", query)
        return self._file(parts.path)

    def _api(self, route: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not self.api:
            body = {"code": "rest_disabled", "message": "The REST API is disabled on this site.", "data": {"status": 401}}
            return 401, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if route.rstrip("/") == "":
            if self.synthetic is not None:
                return 200, {"Content-Type": "application/json"}, json.dumps(wpsynthetic.index(self.origin)).encode()
            return 200, {"Content-Type": "application/json"}, (self.folder / "wp-json" / "index.json").read_bytes()
        kind = route.rstrip("/").rsplit("/", 1)[-1]
        if kind == "posts":
            return self._posts(query)
        if kind in self.terms:
            items = self.terms[kind]
            per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
            pages = max(1, math.ceil(len(items) / per_page))
            if page > pages:
                return 400, {"Content-Type": "application/json"}, b'{"code": "rest_invalid_page_number"}'
            chunk = items[(page - 1) * per_page : page * per_page]
            headers = {"Content-Type": "application/json", "X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
            return 200, headers, json.dumps(chunk).encode()
        return 404, {"Content-Type": "application/json"}, b'{"code": "rest_no_route"}'

    def _posts(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        def local(post: dict) -> datetime:
            return datetime.fromisoformat(post["date"])

        def bound(name: str) -> datetime | None:
            value = query.get(name)
            if not value:
                return None
            moment = datetime.fromisoformat(value)  # WordPress 5.3+: an offset names an instant
            return moment.astimezone(self.zone).replace(tzinfo=None) if moment.tzinfo else moment

        after, before, changed = bound("after"), bound("before"), bound("modified_after")
        posts = [p for p in self.posts if (after is None or local(p) > after) and (before is None or local(p) < before)]
        if changed is not None:  # WordPress 5.7+
            posts = [p for p in posts if datetime.fromisoformat(p["modified"]) > changed]
        for kind in ("categories", "tags"):  # a term's posts (the object form is WordPress 6.1+'s)
            term = query.get(f"{kind}[terms]") or query.get(kind)
            if term:
                posts = [p for p in posts if int(term) in [int(i) for i in p.get(kind, [])]]
        if query.get("author"):
            posts = [p for p in posts if int(p["author"]) == int(query["author"])]
        if query.get("orderby") == "modified":
            posts.sort(key=lambda p: datetime.fromisoformat(p["modified"]), reverse=True)
        else:
            posts.sort(key=local, reverse=True)
        per_page, page = min(self.max_per_page, int(query.get("per_page", 10))), int(query.get("page", 1))
        pages = max(1, math.ceil(len(posts) / per_page))
        if page > pages:
            return 400, {"Content-Type": "application/json"}, b'{"code": "rest_post_invalid_page_number"}'
        chunk = posts[(page - 1) * per_page : page * per_page]
        if self.embed and "_embed" in query and "_links" in query.get("_fields", "_links").split(","):
            chunk = [self._embedded(post) for post in chunk]
        headers = {"Content-Type": "application/json", "X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)}
        return 200, headers, json.dumps(chunk).encode()

    def _embedded(self, post: dict) -> dict:
        """The post with `_embedded` author and terms as WordPress writes them (context "embed")."""
        names = {kind: {term["id"]: term["name"] for term in items} for kind, items in self.terms.items()}

        def term(kind: str, taxonomy: str, term_id: int) -> dict:
            return {"id": term_id, "name": names[kind].get(term_id, ""), "slug": f"t{term_id}", "taxonomy": taxonomy}

        embedded = {
            "author": [{"id": post["author"], "name": names["users"].get(post["author"], "")}],
            "wp:term": [[term("categories", "category", int(i)) for i in post.get("categories", [])],
                        [term("tags", "post_tag", int(i)) for i in post.get("tags", [])]],
        }  # fmt: skip
        return {**post, "_links": {"author": [{"embeddable": True}]}, "_embedded": embedded}

    def _file(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt" and self.robots is not None:
            return 200, {"Content-Type": "text/plain"}, self.robots.encode()
        if self.synthetic is not None:
            if path in self.protected:
                return 200, {"Content-Type": "text/html; charset=UTF-8"}, wpsynthetic.password_page(path, self.origin)
            category, rest = None, path
            slugs = {f"/category/{wpsynthetic.category_slug(n)}": n for n in range(1, len(wpsynthetic.CATEGORIES) + 1)}
            for prefix, term in slugs.items():
                if path.startswith(prefix + "/"):
                    category, rest = term, path.removeprefix(prefix)
            number = 1 if rest == "/" else int(rest.strip("/").split("/")[1]) if rest.startswith("/page/") else 0
            page = wpsynthetic.listing_page(self.synthetic, number, self.origin, category) if number else None
            if page is None:
                return 404, {"Content-Type": "text/html"}, b"<html><body class='error404'>Not found</body></html>"
            return 200, {"Content-Type": "text/html; charset=UTF-8"}, page
        relative = path.lstrip("/")
        candidates = [relative + "index.html"] if relative.endswith("/") or not relative else [relative, relative + "/index.html"]
        for name in candidates:
            file = (self.folder / name).resolve()
            if file.is_file() and self.folder.resolve() in file.parents:
                data = self._rewrite(file.read_bytes())
                xml = data.lstrip().startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex"))
                content_type = "application/xml" if xml else "text/plain" if name.endswith(".txt") else "text/html; charset=UTF-8"
                return 200, {"Content-Type": content_type}, data
        return 404, {"Content-Type": "text/html"}, b"<html><body class='error404'>Not found</body></html>"


def _handler(site: WordPressSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = site.answer(self.path, self.headers.get("If-None-Match"))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
