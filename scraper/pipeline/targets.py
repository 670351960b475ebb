"""Where a source's scrape starts: a site URL, a saved site folder or one saved page, with the
fetcher that reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from scraper.fetch import LocalFetcher, site_origin_from_folder
from scraper.fetch.base import SiteFetcher
from scraper.pipeline.ports import TargetError
from scraper.settings import SourceSettings
from scraper.urls import is_http_url, site_host


@dataclass(frozen=True)
class Target:
    """Where a scrape starts: the first URL, the fetcher that reads it, and the source name
    under which its failures are kept."""

    settings: SourceSettings
    start_url: str
    fetcher: SiteFetcher
    source: str
    single_page: bool = False

    @property
    def text(self) -> str:
        """The TARGET as given (or the configured source's name): the key of its runs."""
        return self.settings.target

    @property
    def zone(self) -> ZoneInfo | None:
        return self.settings.timezone


def resolve_target(settings: SourceSettings, site: Callable[[str], SiteFetcher]) -> Target:
    """A target is a site URL, a saved site folder, or one saved page. `site(url)` gives the
    fetcher for an http(s) site (whose redirects stay on it). Failures are kept under the
    configured source's name, else --source, else the site's host (or the folder's or file's name)."""
    text = settings.url
    source = settings.target if settings.configured else settings.archive_as
    if is_http_url(text):
        return Target(settings, text, site(text), source or site_host(text))
    if "://" in text and not text.startswith("file://"):
        raise TargetError(f"{text}: unsupported URL scheme (use http, https, a folder or a file)")
    path = Path(text.removeprefix("file://")).expanduser()
    if path.is_dir():
        root = path.resolve()
        origin = site_origin_from_folder(root) or root.as_uri()
        name = source or site_host(origin) or root.name
        return Target(settings, origin + "/", LocalFetcher(root, origin), name)
    if path.is_file():
        root = path.parent.resolve()
        uri = path.resolve().as_uri()
        return Target(settings, uri, LocalFetcher(root, root.as_uri()), source or path.name, single_page=True)
    raise TargetError(f"{text}: no such file or directory")
