"""A time limit on one whole HTTP exchange: connect, TLS, status line, headers, body, redirects.

A read timeout only bounds each wait on the socket, so a server that sends one byte every couple
of seconds (of its headers as much as of its body) never trips it. Here a single watchdog thread
shuts the socket down when the exchange's limit is up, which wakes the read blocked on it:

    with Deadline(60.0) as deadline:        # on the thread that makes the request
        response = session.get(url, ...)    # a session with DeadlineAdapter mounted
        ...                                 # read the body
    if deadline.expired: ...                # the exchange was cut: fail it, whatever came back

urllib3 makes the connection deep inside `session.get`, so the deadline in force is found through
a thread-local set only inside the `with` (each exchange runs on one thread from start to end).
A cut connection is never reused. A cut can make a body without Content-Length look complete,
so a caller must check `expired` after reading, not only catch errors.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from types import TracebackType
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

_current = threading.local()


class Deadline:
    """The limit of one exchange. Arms the watchdog on entry, disarms it on exit."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self._sockets: list[socket.socket] = []
        self._owned: list[socket.socket] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Deadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        WATCHDOG.arm(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _current.deadline = self._outer
        with self._lock:
            self.done = True
            self._sockets.clear()
            owned, self._owned = self._owned, []
        for sock in owned:
            sock.close()

    def watch(self, sock: socket.socket | None, *, owned: bool = False) -> None:
        """Cut this socket when the time is up (at once if it already is). An `owned` socket (a
        duplicate made for the deadline) is closed when the exchange is over."""
        if sock is None:
            return
        with self._lock:
            if self.done:
                if owned:
                    sock.close()
                return
            self._sockets.append(sock)
            if owned:
                self._owned.append(sock)
            late = self.expired
        if late:
            _shut(sock)

    def cut(self) -> None:
        """The time is up: shut down every socket the exchange has used (from the watchdog)."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut the socket down for both directions, which wakes a thread blocked reading it. Uses the
    plain socket's shutdown even for TLS (SSLSocket's own would unwrap it under the reader)."""
    with contextlib.suppress(OSError, ValueError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch_current(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _Watchdog:
    """One daemon thread that cuts each Deadline when its time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="fetch-deadline", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                at, _, deadline = self._heap[0]
                left = at - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
            deadline.cut()


WATCHDOG = _Watchdog()


class _Watched:
    """Connection methods that hand each socket to the deadline in force: the new socket (TCP
    connect and TLS handshake) and the socket a response is read from (reused connections too)."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _watch_current(sock)
        return sock

    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    """The TLS handshake happens on a new socket object that takes over the descriptor (the plain
    one is detached): the deadline is given a duplicate of it, which shuts the same connection
    down and which the deadline itself closes when the exchange is over."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = HTTPSConnection._new_conn(self)
        deadline: Deadline | None = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(sock.dup(), owned=True)
        return sock


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections a Deadline can cut (direct, and through an HTTP proxy;
    a SOCKS proxy keeps its own connections and only the read timeout)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(POOLS)
        return manager
