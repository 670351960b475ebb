"""A real HTTP server on 127.0.0.1 for tests: serves a folder and/or scripted responses.

    with LoopbackServer(routes={"/flaky": [Reply(500), Reply(200, body="ok")]}) as server:
        fetcher.fetch(server.url("/flaky"))
        assert server.count("/flaky") == 2

Scripted routes are consumed in order; the last reply repeats once the list runs out, so
`[Reply(503)]` is "503 forever". A route key may include a query ("/?p=1"); a request matches it
before the plain path. Paths with no route are served from `folder` (if given) like a web server:
`/x/` -> `x/index.html`, `/x` -> `x` or `x/index.html`, `/?p=1` -> `index.html?p=1` (wget naming).
Every request is logged (method, path, headers) in `server.requests`. `server.serve(prefix, make)`
answers every path that starts with `prefix` with `make(path)` (a page that differs on every
visit, or echoes what was asked), before routes and the folder.

For pytest, `ServerFactory` starts servers on demand and stops them all afterwards:

    @pytest.fixture
    def loopback() -> Iterator[ServerFactory]:
        with ServerFactory() as factory:
            yield factory

    def test_x(loopback): server = loopback(folder=FIXTURES / "sites" / "kabul-post")
"""

from __future__ import annotations

import gzip
import mimetypes
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

XML_STARTS = (b"<?xml", b"<rss", b"<feed")


@dataclass(frozen=True)
class Reply:
    """One scripted response. `delay` seconds pass before the status line is sent; `stall`
    seconds pass after the headers and the first half of the body; `drop` closes the connection
    without answering; `send_length=False` omits Content-Length (the body then ends when the
    connection closes); `gzip=True` compresses the body and says so; `drip_headers` sends the
    status line and headers one byte at a time, that many seconds apart (a slowloris in reverse:
    no single wait is long enough for a read timeout)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0
    stall: float = 0.0
    drop: bool = False
    send_length: bool = True
    gzip: bool = False
    drip_headers: float = 0.0

    def payload(self) -> bytes:
        data = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip.compress(data) if self.gzip else data


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, {"Location": location})


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # keys lower-case
    at: float = field(default_factory=time.monotonic)  # when it arrived


class LoopbackServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 and a free port; use as a context manager."""

    def __init__(
        self, routes: Mapping[str, Sequence[Reply]] | None = None, folder: Path | None = None, latency: float = 0.0
    ) -> None:
        self.folder = Path(folder).resolve() if folder is not None else None
        self.latency = latency  # seconds added before every answer
        self.requests: list[LoggedRequest] = []
        self.in_flight = 0
        self.peak = 0  # the most requests waiting for their answer at once
        self._routes: dict[str, list[Reply]] = {path: list(replies) for path, replies in (routes or {}).items()}
        self._makers: list[tuple[str, Callable[[str], Reply]]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01})
        self._thread.daemon = True

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def route(self, path: str, *replies: Reply) -> None:
        """Add or replace the scripted replies for a path."""
        with self._lock:
            self._routes[path] = list(replies)

    def serve(self, prefix: str, make: Callable[[str], Reply]) -> None:
        """Answer every request whose path (with its query) starts with `prefix` with `make(path)`."""
        with self._lock:
            self._makers.append((prefix, make))

    def count(self, path: str | None = None) -> int:
        """How many requests arrived (for `path`, compared with its query, if given)."""
        with self._lock:
            return sum(1 for request in self.requests if path is None or request.path == path)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _next_reply(self, target: str) -> Reply | None:
        with self._lock:
            make = next((make for prefix, make in self._makers if target.startswith(prefix)), None)
        if make is not None:
            return make(target)
        with self._lock:
            for key in (target, urlsplit(target).path):
                replies = self._routes.get(key)
                if replies:
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        return self._file_reply(target)

    def _file_reply(self, target: str) -> Reply | None:
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
                return Reply(200, {"Content-Type": _content_type(path, body)}, body)
        return None


def _content_type(path: Path, body: bytes) -> str:
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(XML_STARTS):
        return "application/xml"
    guessed, _ = mimetypes.guess_type(path.name.partition("?")[0])
    return guessed or "text/html"


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            server._log(LoggedRequest(self.command, self.path, headers))
            reply = server._next_reply(self.path) or Reply(404, {"Content-Type": "text/plain"}, b"not found")
            server._enter()  # in flight until the answer starts (the client may reuse its slot as it ends)
            try:
                if reply.delay or server.latency:
                    time.sleep(reply.delay + server.latency)
            finally:
                server._leave()
            if reply.drop:
                self.close_connection = True
                return
            body = reply.payload()
            if reply.drip_headers:
                self._drip_headers(reply, body, send_body)
                return
            try:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if reply.send_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self._write_body(body, reply.stall)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a read timeout): nothing to report

        def _drip_headers(self, reply: Reply, body: bytes, send_body: bool) -> None:
            lines = [f"HTTP/1.0 {reply.status} Whatever", *(f"{k}: {v}" for k, v in reply.headers.items())]
            lines.append(f"Content-Length: {len(body)}")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            self.close_connection = True
            try:
                for n in range(len(head)):
                    self.wfile.write(head[n : n + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip_headers)
                if send_body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cut it: what the test wants

        def _write_body(self, body: bytes, stall: float) -> None:
            if stall:
                half = len(body) // 2
                self.wfile.write(body[:half])
                self.wfile.flush()
                time.sleep(stall)
                body = body[half:]
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet; requests are in server.requests

    return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerFactory:
    """Starts LoopbackServers on demand and stops them all on exit (backs the `loopback` fixture)."""

    def __init__(self) -> None:
        self.servers: list[LoopbackServer] = []

    def __call__(
        self, routes: Mapping[str, Sequence[Reply]] | None = None, folder: Path | None = None, latency: float = 0.0
    ) -> LoopbackServer:
        server = LoopbackServer(routes, folder, latency).start()
        self.servers.append(server)
        return server

    def __enter__(self) -> ServerFactory:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for server in self.servers:
            server.stop()
