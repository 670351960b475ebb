"""robots.txt answers kept in the archive between runs: the RobotsCache that
scraper.fetch.robots.RobotsFetcher reads and writes.

robots.txt is read from the fetching threads, once per origin per run, so each call opens a short
connection of its own rather than sharing the run's (a connection belongs to one thread).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from scraper.models import CachedRobots

_COLUMNS = "status, text, checked, fresh_for, etag, last_modified"


class RobotsStore:
    def __init__(self, path: str):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def get_robots(self, url: str) -> CachedRobots | None:
        with closing(self._connect()) as conn:
            row = conn.execute(f"select {_COLUMNS} from robots where url = ?", (url,)).fetchone()
        return CachedRobots(*row) if row else None

    def put_robots(self, url: str, robots: CachedRobots) -> None:
        values = (url, robots.status, robots.text, robots.checked, robots.fresh_for, robots.etag, robots.last_modified)
        with closing(self._connect()) as conn, conn:  # one transaction
            conn.execute(f"insert or replace into robots (url, {_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)", values)
