"""Serve a saved copy of a site (a wget-style mirror folder) as if it were the live site.

URL paths map to files the way wget saves them: `/` -> `index.html`, `/a/b/` -> `a/b/index.html`,
`/a/b` -> `a/b`, `a/b/index.html` or `a/b.html`, and `/?p=1` -> `index.html?p=1`.
Nothing outside the folder is ever read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

from scraper.encoding import decode_html, sniff_content_type
from scraper.errors import FetchError
from scraper.fetch.http import MAX_BYTES
from scraper.models import Clearance, Page, PublishedApi
from scraper.urls import origin_of

_PATH_SAFE = "/!$&'()*+,;=:@~"


def _site(origin: str) -> str:
    """The part of an origin that names the site: host[:port] without "www." (scheme ignored)."""
    return origin.partition("://")[2].removeprefix("www.")


class LocalFetcher:
    """Fetch pages of the site at `origin` (e.g. "https://kabulpost.example") from the folder `root`.

    http and https, and the host with or without "www.", count as the same site. `file://` URLs
    inside `root` are served too, with `final_url` set to the matching URL on the site. `origin`
    may itself be a `file://` URL (a folder with no known site): then only `file://` URLs inside
    `root` are served, and `final_url` is the requested URL (with "/" added for a folder).
    """

    def __init__(self, root: Path, origin: str, *, max_bytes: int = MAX_BYTES) -> None:
        """Files over `max_bytes` are refused, as HttpFetcher refuses bodies over its cap."""
        self.max_bytes = max_bytes
        self.root = Path(root).resolve()
        self._given_root = Path(root).absolute()
        self.origin = self.root.as_uri() if origin.lower().startswith("file:") else origin_of(origin)
        if not self.origin:
            raise ValueError(f"not a site origin: {origin!r}")

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        """None known: a saved copy obeys no robots.txt (read it as a page, if it was saved)."""
        return ()

    def publish(self, api: PublishedApi) -> Clearance:
        """Open: a saved copy obeys no robots.txt (what was saved of the API, if anything, is read)."""
        return Clearance(True)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        """The saved file for `url` as a 200 Page (headers are ignored: there is no server)."""
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            path = self._file_for(url, [self._path_in_root(url, parts.path)], parts.query)
            if self.origin.startswith("file:"):
                final_url = _as_directory(url) if _is_directory_index(path, parts.path) else url
            else:
                final_url = self._site_url(path)
        elif origin_of(url) and _site(origin_of(url)) == _site(self.origin):
            # wget usually saves "%C3%A9" as "é", but keeps the escapes with --restrict-file-names=ascii
            path = self._file_for(url, [unquote(parts.path), parts.path], parts.query)
            final_url = _as_directory(url) if _is_directory_index(path, parts.path) else url
        else:
            raise FetchError(url, f"outside the saved site {self.origin}")
        try:
            with path.open("rb") as file:
                content = file.read(self.max_bytes + 1)
                mtime = path.stat().st_mtime
        except OSError as error:
            raise FetchError(url, f"cannot read {path}: {error.strerror or error}") from error
        if len(content) > self.max_bytes:
            raise FetchError(url, f"{path} is larger than the {_size(self.max_bytes)} cap")
        return Page(
            requested_url=url,
            final_url=final_url,
            status=200,
            headers={"content-type": sniff_content_type(content, path.name)},
            content=content,
            fetched_at=datetime.fromtimestamp(mtime, UTC),
        )

    def candidates(self, path: str, query: str) -> list[str]:
        """Relative file names that may hold the page at URL `path`?`query`, best first
        (with a query, wget's `name?query`, or `name?query.html` with --adjust-extension)."""
        relative = path.lstrip("/")
        if not relative or relative.endswith("/"):
            names = [f"{relative}index.html"]
        else:
            names = [relative, f"{relative}/index.html", f"{relative}.html"]
        if query:
            return [variant for name in names for variant in (f"{name}?{query}", f"{name}?{query}.html")]
        return names

    def _file_for(self, url: str, paths: list[str], query: str) -> Path:
        """The first file inside root for any of the URL paths (best first) and the query."""
        for path in paths:
            if "\\" in path or "\x00" in path or ".." in path.split("/"):
                raise FetchError(url, f"outside the saved site {self.root}")
        for name in dict.fromkeys(name for path in paths for name in self.candidates(path, query)):
            found = self._inside(self.root / name)
            if found is not None and found.is_file():
                return found
        raise FetchError(url, f"not in the saved site {self.root}", status=404)

    def _path_in_root(self, url: str, url_path: str) -> str:
        """The URL-style path ("/a/b/") of a file:// URL's path, relative to root."""
        local = Path(url2pathname(url_path))
        if ".." in local.parts:
            raise FetchError(url, f"outside the saved site {self.root}")
        for root in (self.root, self._given_root):
            if local.is_relative_to(root):
                relative = local.relative_to(root).as_posix()
                relative = "" if relative == "." else relative
                slash = "/" if url_path.endswith("/") and relative else ""
                return f"/{relative}{slash}"
        raise FetchError(url, f"outside the saved site {self.root}")

    def _inside(self, path: Path) -> Path | None:
        """`path` resolved (symlinks followed) if it is inside root, else None."""
        try:
            resolved = path.resolve()
        except (OSError, ValueError):
            return None
        return resolved if resolved.is_relative_to(self.root) else None

    def _site_url(self, path: Path) -> str:
        """The URL on the site of a file in root (inverse of the mapping above)."""
        relative = path.relative_to(self.root).as_posix()
        name, _, query = relative.partition("?")
        if name == "index.html" or name.endswith("/index.html"):
            name = name.removesuffix("index.html")
        return f"{self.origin}/{quote(name, safe=_PATH_SAFE)}" + (f"?{query}" if query else "")


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n} bytes"


def _is_directory_index(path: Path, url_path: str) -> bool:
    """True when `/a/b` was answered by `a/b/index.html` (a web server would redirect to `/a/b/`)."""
    return path.name.partition("?")[0] == "index.html" and not url_path.endswith(("/", "index.html"))


def _as_directory(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + "/", fragment=""))


# <link rel> values whose href is an absolute URL on the site itself.
ORIGIN_RELS = frozenset({"shortlink", "alternate", "https://api.w.org/", "home"})


def site_origin_from_folder(root: Path) -> str | None:
    """The origin of a saved site, from its index.html: the absolute <link rel="canonical">, og:url,
    shortlink, feed link or WordPress API link, in that order (a plain WordPress home page has no
    canonical, but its head links are absolute). None when nothing names an absolute http(s) URL."""
    try:
        content = (Path(root) / "index.html").read_bytes()
    except OSError:
        return None
    finder = _SiteUrlFinder()
    finder.feed(decode_html(content, None))
    finder.close()
    for url in (finder.canonical, finder.og_url, *finder.head_links):
        if url and urlsplit(url).scheme.lower() in ("http", "https"):
            origin = origin_of(url)
            if origin:
                return origin
    return None


class _SiteUrlFinder(HTMLParser):
    """Collects the first <link rel="canonical" href> and <meta property="og:url" content>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.head_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        if tag == "link" and "canonical" in rels:
            self.canonical = self.canonical or values.get("href")
        elif tag == "link" and ORIGIN_RELS.intersection(rels) and values.get("href"):
            if "alternate" not in rels or "xml" in values.get("type", ""):  # feeds, not other languages
                self.head_links.append(values["href"])
        elif tag == "meta" and values.get("property", "").lower() == "og:url":
            self.og_url = self.og_url or values.get("content")
