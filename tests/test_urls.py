"""The one same_site: hosts compared without case, "www." or port; saved pages (file:) are one site."""

from __future__ import annotations

import pytest

from scraper.urls import same_site


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("https://www.News.example/a", "http://news.example:8080/", False),  # another port is another server
        ("https://news.example/a", "https://other.example/a", False),
        ("https://sub.news.example/a", "https://news.example/a", False),
        ("file:///site/a/index.html", "file:///site/", True),
        ("file:///site/a/index.html", "https://news.example/", False),
        ("https://news.example/", "file:///site/", False),
        ("javascript:void(0)", "javascript:void(0)", False),
        ("/relative/path", "/relative/path", False),
    ],
)
def test_same_site(url: str, other: str, same: bool) -> None:
    assert same_site(url, other) is same
