"""Getting pages: over HTTP (HttpFetcher) or from a saved copy of a site (LocalFetcher).

Both return a scraper.models.Page for a usable page and raise scraper.errors.FetchError otherwise.
"""

from scraper.fetch.base import Clock, Fetcher, Sleep, utc_now
from scraper.fetch.http import HttpFetcher
from scraper.fetch.local import LocalFetcher, site_origin_from_folder
from scraper.fetch.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after

__all__ = [
    "RETRY_STATUSES",
    "Clock",
    "Fetcher",
    "HttpFetcher",
    "LocalFetcher",
    "RetryPolicy",
    "Sleep",
    "parse_retry_after",
    "site_origin_from_folder",
    "utc_now",
]
