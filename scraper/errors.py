"""The exception vocabulary. The library raises these; only cli.py turns them into exit codes."""

from __future__ import annotations


class ScraperError(Exception):
    """Base class: an expected failure with a one-line message for the user."""


class ConfigError(ScraperError):
    """Bad options or configuration: nothing is fetched."""


class FetchError(ScraperError):
    """A page could not be downloaded."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, retryable: bool = False):
        self.url = url
        self.reason = reason
        self.status = status
        self.retryable = retryable
        super().__init__(f"{url}: {reason}")


class RobotsDisallowed(FetchError):
    """The site's robots.txt disallows this URL: skipped, not failed."""

    def __init__(self, url: str):
        super().__init__(url, "disallowed by robots.txt")


class ParseError(ScraperError):
    """A page was downloaded but could not be turned into an Article."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class NotAnArticle(ParseError):
    """The page is a listing, tag, about or error page: skipped, not failed."""


class ServedInstead(ParseError):
    """A page served in place of the article (parse/pagekind.py: a bot check, a soft 404, a login
    or consent wall, a redirect stub): a failure, retried later. `kind` names which."""

    def __init__(self, url: str, reason: str, kind: str):
        self.kind = kind
        super().__init__(url, reason)


class FeedError(ScraperError):
    """A feed, sitemap or listing page could not be read."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class FormatError(ScraperError):
    """A file is not in the metadata-plus-body text format."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


class ArchiveError(ScraperError):
    """The SQLite archive cannot be opened or written."""
