"""A hostile web server on 127.0.0.1 for tests: serves a folder (a saved site) and injects faults.

    with FaultServer(folder=SITE, rate=0.2, seed=7) as server:   # one response in five is a fault
        scrape(server.url("/"))
        server.served_faults()        # Counter({"503": 4, "reset": 3, ...})

    with FaultServer(folder=SITE) as server:                     # no random faults ...
        server.force("/feed/", "truncated-gzip", "500")          # ... but the next two answers for /feed/
        server.route("/x", Reply(200, body="..."))               # scripted replies, as in tests.servers

Faults (the names in FAULTS), each applied to the response the path would normally get:

    "500", "502", "503"   that status, with a short HTML body
    "429"                 429 with `Retry-After: 1` (seconds)
    "429-date"            429 with `Retry-After` as an HTTP date one second ahead
    "reset"               full Content-Length, half the body, then a TCP reset (RST)
    "timeout"             nothing for `stall` seconds (the client's read timeout should be shorter)
    "drip"                headers, then the body a few bytes every `drip_interval` s (slowloris in reverse)
    "truncated-gzip"      `Content-Encoding: gzip`, the compressed body cut in half (Content-Length matches)
    "oversize"            an undeclared-length body of `oversize` bytes (over the client's cap)
    "redirect-loop"       302 into /__loop/1 <-> /__loop/2, forever
    "redirect-offsite"    302 to http://localhost:PORT/__hop?to=PATH (another host name), which 302s back
    "wrong-charset"       the UTF-8 body labelled `charset=iso-8859-1`
    "no-charset"          the body labelled plain `text/html`, no charset
    "invalid-utf8"        invalid UTF-8 bytes spliced into the middle of the body, labelled UTF-8
    "empty"               200 with an empty body
    "not-article"         200 with a challenge page ("Just a moment...") instead of the page
    "login"               301 to /wp-login.php?redirect_to=PATH, a login form (200)
    "gzip-bomb", "deflate-bomb", "br-bomb"
                          200 with a tiny body that decompresses to `bomb_size` bytes of zeros

Every request is logged in `server.log` as Served(path, fault, host) (fault None for a normal
answer; host the Host header, so requests to `other_origin` can be told apart).
Random faults are drawn from random.Random(f"{seed}:{path}:{n}") for the n-th request of a path,
so which request of which page gets which fault does not depend on thread timing: a run that asks
for the same pages in the same numbers meets the same faults. `faults` is a sequence of names or a
function of the path giving one (e.g. only transient faults for listing pages). Paths that are the server's own (/__loop, /__hop, /wp-login.php) and paths
for which `exempt(path)` is true never get random faults. Scripted routes (`route`) win over
faults and the folder; forced faults (`force`) win over random ones.
"""

from __future__ import annotations

import functools
import gzip
import random
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.servers import Reply, _content_type

STATUS_FAULTS = ("500", "502", "503")
RETRY_AFTER_FAULTS = ("429", "429-date")
TRANSPORT_FAULTS = ("reset", "timeout", "drip")
BODY_FAULTS = ("truncated-gzip", "oversize", "empty", "not-article")
REDIRECT_FAULTS = ("redirect-loop", "redirect-offsite", "login")
CHARSET_FAULTS = ("wrong-charset", "no-charset", "invalid-utf8")
BOMB_FAULTS = ("gzip-bomb", "deflate-bomb", "br-bomb")
FAULTS = (
    STATUS_FAULTS + RETRY_AFTER_FAULTS + TRANSPORT_FAULTS + BODY_FAULTS + REDIRECT_FAULTS + CHARSET_FAULTS + BOMB_FAULTS
)
# Faults a run must get through without a wrong record: everything but the ones that change the text
# of a page that is still served as a success (a wrong charset, invalid UTF-8), which are tested alone.
SURVIVABLE = tuple(f for f in FAULTS if f not in ("wrong-charset", "invalid-utf8"))
# Faults that trying again fixes: what a flaky server or network does.
TRANSIENT = STATUS_FAULTS + RETRY_AFTER_FAULTS + TRANSPORT_FAULTS + ("truncated-gzip", "redirect-offsite", "no-charset")

CHALLENGE_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Just a moment...</title></head>"
    "<body><h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>"
    "</body></html>"
)
LOGIN_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Log In &lsaquo; The Site</title></head>"
    "<body class='login'><form name='loginform' action='/wp-login.php' method='post'>"
    "<p><label>Username or Email Address <input type='text' name='log'></label></p>"
    "<p><label>Password <input type='password' name='pwd'></label></p>"
    "<p><input type='submit' value='Log In'></p></form></body></html>"
)


@dataclass(frozen=True)
class Served:
    path: str
    fault: str | None
    host: str = ""  # the Host header: 127.0.0.1:PORT, or localhost:PORT for the other host name


# ------------------------------------------------------------------------------ hostile bodies


BOMB_SIZE = 256 * 1024 * 1024


def gzip_bomb(size: int = BOMB_SIZE) -> bytes:
    """A gzip member of `size` zero bytes (about 1/1000 of that on the wire), built in 1 MB steps."""
    return _bomb("gzip", size)


def deflate_bomb(size: int = BOMB_SIZE) -> bytes:
    """A zlib-wrapped deflate stream (HTTP `deflate`) of `size` zero bytes."""
    return _bomb("deflate", size)


def brotli_bomb(size: int = BOMB_SIZE) -> bytes:
    """A brotli stream of `size` zero bytes (a few hundred bytes on the wire)."""
    return _bomb("br", size)


@functools.cache
def _bomb(kind: str, size: int) -> bytes:
    block = bytes(1024 * 1024)
    if kind == "br":
        import brotli

        compressor = brotli.Compressor(quality=5)
        out = [compressor.process(block) for _ in range(size // len(block))]
        return b"".join([*out, compressor.finish()])
    wbits = 16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    out = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join([*out, compressor.flush()])
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1024 * 1024)
    out = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join([*out, compressor.flush()])


def billion_laughs(root: str = "rss", levels: int = 10) -> bytes:
    """An XML document whose entities expand to 10**levels "lol"s (the classic 'billion laughs')."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    body = {
        "rss": f'<rss version="2.0"><channel><title>t</title><item><title>&lol{levels - 1};</title>'
        f"<link>http://127.0.0.1/a/&lol{levels - 1};</link></item></channel></rss>",
        "urlset": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://127.0.0.1/&lol{levels - 1};</loc></url></urlset>",
    }[root]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(entities) + "\n]>\n" + body).encode()


def external_entity(root: str, system_id: str) -> bytes:
    """An XML document that tries to pull `system_id` (a file: or http: URL) in through an entity."""
    body = {
        "rss": '<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>'
        "<link>http://127.0.0.1/a/&xxe;</link></item></channel></rss>",
        "urlset": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://127.0.0.1/x&xxe;</loc></url></urlset>",
    }[root]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{system_id}">]>\n{body}'.encode()


def external_dtd(root: str, system_id: str) -> bytes:
    """An XML document whose doctype names an external DTD (fetching it would be network access)."""
    body = {
        "rss": '<rss version="2.0"><channel><title>t</title>'
        "<item><title>ok</title><link>http://127.0.0.1/a/1</link></item></channel></rss>",
        "urlset": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://127.0.0.1/a/1</loc></url></urlset>",
    }[root]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "{system_id}">\n{body}'.encode()


def deep_html(depth: int = 100_000) -> bytes:
    """An article-looking page with `depth` nested <div>s around its text."""
    head = b"<!DOCTYPE html><html><head><title>Deep</title></head><body><article><h1>Deep</h1>"
    return head + b"<div>" * depth + b"<p>bottom</p>" + b"</div>" * depth + b"</article></body></html>"


def huge_html(size: int = 50 * 1024 * 1024) -> bytes:
    """An article-looking page of about `size` bytes: one headline and very many paragraphs."""
    head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body><article><h1>Huge</h1>"
    paragraph = b"<p>All work and no play makes Jack a dull boy, again and again and again.</p>\n"
    return head + paragraph * (size // len(paragraph)) + b"</article></body></html>"


# ------------------------------------------------------------------------------------- server


class FaultServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 that serves `folder` and injects faults.

    `rate`: the share of requests that get a random fault from `faults`; `seed` seeds the draws.
    `delay`: seconds before every answer (a slow site, so a test can kill a run in the middle).
    `stall`: how long a "timeout" fault stays silent. `drip_interval`/`drip_bytes`: the pace of a
    "drip". `oversize`: the length of an "oversize" body. `bomb_size`: what a bomb expands to.
    """

    def __init__(
        self,
        folder: Path | None = None,
        *,
        rate: float = 0.0,
        faults: Sequence[str] | Callable[[str], Sequence[str]] = SURVIVABLE,
        seed: int = 0,
        exempt: Callable[[str], bool] = lambda path: False,
        delay: float = 0.0,
        stall: float = 1.0,
        drip_interval: float = 0.05,
        drip_bytes: int = 16,
        oversize: int = 11 * 1024 * 1024,
        bomb_size: int = BOMB_SIZE,
    ) -> None:
        if not callable(faults):
            _check(faults)
        self.folder = Path(folder).resolve() if folder is not None else None
        self.rate = rate
        self.faults = faults
        self.seed = seed
        self.exempt = exempt
        self.delay = delay
        self.stall = stall
        self.drip_interval = drip_interval
        self.drip_bytes = drip_bytes
        self.oversize = oversize
        self.bomb_size = bomb_size
        self.log: list[Served] = []
        self._draws: Counter[str] = Counter()
        self._forced: dict[str, list[str]] = {}
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    # -- addresses --------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def other_origin(self) -> str:
        """The same server under another host name (localhost), for off-site links and redirects."""
        return f"http://localhost:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    # -- scripting --------------------------------------------------------------------------
    def force(self, path: str, *faults: str) -> None:
        """The next requests for `path` (with its query, if given) get these faults, in order."""
        _check(faults)
        with self._lock:
            self._forced.setdefault(path, []).extend(faults)

    def route(self, path: str, *replies: Reply) -> None:
        """Scripted replies for a path, consumed in order, the last one repeating (as in tests.servers)."""
        with self._lock:
            self._routes[path] = list(replies)

    # -- what happened ----------------------------------------------------------------------
    def served_faults(self) -> Counter[str]:
        with self._lock:
            return Counter(entry.fault for entry in self.log if entry.fault)

    def count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for entry in self.log if path is None or entry.path == path)

    def paths(self, *, robots: bool = False) -> list[str]:
        """The paths requested, in order (without /robots.txt unless `robots`)."""
        with self._lock:
            return [entry.path for entry in self.log if robots or entry.path != "/robots.txt"]

    # -- life -------------------------------------------------------------------------------
    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- deciding ---------------------------------------------------------------------------
    def _decide(self, target: str) -> tuple[Reply | None, str | None]:
        """The scripted reply, if any, and the fault for this request (or None)."""
        path = urlsplit(target).path
        with self._lock:
            for key in (target, path):
                replies = self._routes.get(key)
                if replies:
                    return (replies.pop(0) if len(replies) > 1 else replies[0]), None
            for key in (target, path):
                forced = self._forced.get(key)
                if forced:
                    return None, forced.pop(0)
            if path.startswith(("/__loop/", "/__hop", "/wp-login.php")) or self.exempt(target):
                return None, None
            if not self.rate:
                return None, None
            self._draws[target] += 1
            draw = random.Random(f"{self.seed}:{target}:{self._draws[target]}")
            if draw.random() >= self.rate:
                return None, None
        choices = self.faults(target) if callable(self.faults) else self.faults
        return None, draw.choice(_check(choices))

    def _record(self, target: str, fault: str | None, host: str = "") -> None:
        with self._lock:
            self.log.append(Served(target, fault, host))

    def _normal(self, target: str) -> Reply:
        """The answer without a fault: the server's own pages, else the file, else 404."""
        parts = urlsplit(target)
        if parts.path.startswith("/__loop/"):
            other = "2" if parts.path.endswith("1") else "1"
            return Reply(302, {"Location": f"/__loop/{other}"})
        if parts.path == "/__hop":
            back = parse_qs(parts.query).get("to", ["/"])[0]
            return Reply(302, {"Location": self.origin + back})
        if parts.path == "/wp-login.php":
            return Reply(200, {"Content-Type": "text/html; charset=UTF-8"}, LOGIN_PAGE)
        found = self._file(target)
        return found or Reply(404, {"Content-Type": "text/html"}, b"<html><body><h1>Not found</h1></body></html>")

    def _file(self, target: str) -> Reply | None:
        if self.folder is None:
            return None
        parts = urlsplit(target)
        relative = unquote(parts.path).lstrip("/")
        names = [relative + "index.html"] if not relative or relative.endswith("/") else [relative]
        if relative and not relative.endswith("/"):
            names.append(relative + "/index.html")
        if parts.query:
            names = [f"{name}?{parts.query}" for name in names]
        for name in names:
            path = (self.folder / name).resolve()
            if path.is_relative_to(self.folder) and path.is_file():
                body = path.read_bytes()
                kind = _content_type(path, body)
                if kind == "text/html":
                    kind = "text/html; charset=UTF-8"
                return Reply(200, {"Content-Type": kind}, body)
        return None


def _check(faults: Sequence[str]) -> Sequence[str]:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    return faults


def _fault_reply(server: FaultServer, fault: str, target: str, normal: Reply) -> Reply | str:
    """The reply for a fault, or the name of a fault that the handler acts out on the socket."""
    body = normal.payload()
    html = {"Content-Type": "text/html; charset=UTF-8"}
    if fault in STATUS_FAULTS:
        return Reply(int(fault), html, f"<html><body><h1>Error {fault}</h1></body></html>")
    if fault == "429":
        return Reply(429, {**html, "Retry-After": "1"}, "<html><body>Too many requests</body></html>")
    if fault == "429-date":
        return Reply(429, {**html, "Retry-After": formatdate(time.time() + 1, usegmt=True)}, "slow down")
    if fault == "truncated-gzip":
        packed = gzip.compress(body)
        return Reply(200, {**normal.headers, "Content-Encoding": "gzip"}, packed[: len(packed) // 2])
    if fault == "empty":
        return Reply(200, html, b"")
    if fault == "not-article":
        return Reply(200, html, CHALLENGE_PAGE)
    if fault == "redirect-loop":
        return Reply(302, {"Location": "/__loop/1"})
    if fault == "redirect-offsite":
        return Reply(302, {"Location": f"{server.other_origin}/__hop?to={quote(target, safe='')}"})
    if fault == "login":
        return Reply(301, {"Location": f"/wp-login.php?redirect_to={quote(server.url(target), safe='')}"})
    if fault == "wrong-charset":
        return Reply(normal.status, {**normal.headers, "Content-Type": "text/html; charset=iso-8859-1"}, body)
    if fault == "no-charset":
        return Reply(normal.status, {**normal.headers, "Content-Type": "text/html"}, body)
    if fault == "invalid-utf8":
        middle = body.find(b"<p>", len(body) // 2)
        middle = middle + 3 if middle >= 0 else len(body) // 2
        return Reply(normal.status, normal.headers, body[:middle] + b"\xff\xfe\xc3\x28\xed\xa0\x80" + body[middle:])
    if fault == "gzip-bomb":
        return Reply(200, {**html, "Content-Encoding": "gzip"}, gzip_bomb(server.bomb_size))
    if fault == "deflate-bomb":
        return Reply(200, {**html, "Content-Encoding": "deflate"}, deflate_bomb(server.bomb_size))
    if fault == "br-bomb":
        return Reply(200, {**html, "Content-Encoding": "br"}, brotli_bomb(server.bomb_size))
    return fault  # reset, timeout, drip, oversize: acted out by the handler


def _handler_for(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True  # the client gave up (a timeout, a cap): nothing to report

        def _answer(self) -> None:
            scripted, fault = server._decide(self.path)
            server._record(self.path, fault, self.headers.get("Host", ""))
            if server.delay:
                time.sleep(server.delay)
            reply = scripted or server._normal(self.path)
            if fault is not None:
                acted = _fault_reply(server, fault, self.path, reply)
                if isinstance(acted, str):
                    getattr(self, "_" + acted)(reply)
                    return
                reply = acted
            self._send(reply.status, reply.headers, reply.payload())

        def _send(self, status: int, headers: Mapping[str, str], body: bytes, *, length: bool = True) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def _headers(self, reply: Reply, length: int | None) -> None:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def _reset(self, reply: Reply) -> None:
            body = reply.payload()
            self._headers(reply, len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def _timeout(self, reply: Reply) -> None:
            time.sleep(server.stall)
            self._send(reply.status, reply.headers, reply.payload())

        def _drip(self, reply: Reply) -> None:
            body = reply.payload()
            self._headers(reply, len(body))
            for start in range(0, len(body), server.drip_bytes):
                self.wfile.write(body[start : start + server.drip_bytes])
                self.wfile.flush()
                time.sleep(server.drip_interval)

        def _oversize(self, reply: Reply) -> None:
            self._headers(Reply(200, {"Content-Type": "text/html; charset=UTF-8"}), None)
            block = b"<p>" + b"x" * 1017 + b"</p>\n"
            for _ in range(server.oversize // len(block) + 1):
                self.wfile.write(block)
            self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
