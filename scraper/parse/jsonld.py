"""Reading schema.org values out of JSON-LD objects, whose shapes vary from site to site:
a value may be a string, an object (`{"@type": "Person", "name": ...}`), or a list of either."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scraper.parse.document import Document, JsonObject, jsonld_types
from scraper.parse.text import clean_inline

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "BlogPosting",
        "LiveBlogPosting", "SocialMediaPosting", "Report", "ScholarlyArticle", "TechArticle",
        "SatiricalArticle", "AdvertiserContentArticle", "Review",
    }
)  # fmt: skip
LISTING_TYPES = frozenset(
    {"CollectionPage", "WebSite", "ItemList", "SearchResultsPage", "ProfilePage", "AboutPage", "ContactPage"}
)
_TEXT_KEYS = ("name", "@value", "value", "text")
_IMAGE_KEYS = ("url", "contentUrl", "@id")


def article_objects(doc: Document) -> list[JsonObject]:
    """The page's JSON-LD objects of an article type, in page order."""
    return [obj for obj in doc.jsonld if jsonld_types(obj) & ARTICLE_TYPES]


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def texts(value: Any) -> list[str]:
    """Non-empty strings of a value that is a string, a number, a named object or a list of them."""
    found: list[str] = []
    for item in _items(value):
        if isinstance(item, dict):
            item = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str | int)), "") or person_name(item)
        if isinstance(item, str | int) and not isinstance(item, bool):
            text = clean_inline(str(item))
            if text:
                found.append(text)
    return found


def person_name(item: JsonObject) -> str:
    """A Person's name given in parts (`givenName` and `familyName`, no `name`), else ""."""
    parts = [item.get(key) for key in ("givenName", "additionalName", "familyName")]
    return " ".join(clean_inline(part) for part in parts if isinstance(part, str) and part.strip())


def first_text(value: Any) -> str:
    found = texts(value)
    return found[0] if found else ""


def keywords(value: Any) -> list[str]:
    """Keywords given as a list or as one comma-separated string."""
    found: list[str] = []
    for text in texts(value):
        found.extend(part for part in (clean_inline(p) for p in text.split(",")) if part)
    return found


def image_url(value: Any) -> str:
    """The first image URL of a value that is a URL, an ImageObject or a list of them."""
    for item in _items(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            url = next((item[k] for k in _IMAGE_KEYS if isinstance(item.get(k), str)), "")
            if url.strip():
                return url.strip()
    return ""


def values(objects: Iterable[JsonObject], key: str) -> list[Any]:
    """The values of `key` in the objects that have it (non-empty), in order."""
    return [obj[key] for obj in objects if obj.get(key) not in (None, "", [], {})]


def resolve(objects: Iterable[JsonObject], value: Any) -> Any:
    """`value` with `{"@id": ...}` references replaced by the objects they name (Yoast graphs
    give an article's author as a reference to a Person elsewhere in the graph)."""
    by_id = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    resolved = []
    for item in _items(value):
        if isinstance(item, dict) and not any(k in item for k in _TEXT_KEYS) and isinstance(item.get("@id"), str):
            item = by_id.get(item["@id"], item)
        resolved.append(item)
    return resolved
