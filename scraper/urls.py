"""URL normalisation for dedup, and the derived article number. Pure functions."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that never change which article a URL points to.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "amp",
        "output",
    }
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


# Session ids and other per-visit parameters (any case), in the query (`?PHPSESSID=…`) or as a
# path parameter (`/story;jsessionid=…`): a visit's token, never which article a URL points to.
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sessionid", "sessid", "session_id"})
# `sid` is a session id too, except where it is the story's own id: a number (PHP-Nuke's
# `article.php?sid=123`) or a dated path (Slash's `article.pl?sid=04/06/30/1234211`).
_STORY_SID = re.compile(r"\d{1,12}|.*/.*")
_PATH_PARAM = re.compile(r";([^;=/?#]*)=([^;/?#]*)")


def is_session_param(name: str, value: str) -> bool:
    """Whether a URL parameter is a session id or another per-visit token (see SESSION_PARAMS)."""
    lower = name.strip().lower()
    if lower in SESSION_PARAMS:
        return True
    return lower == "sid" and _STORY_SID.fullmatch(value.strip()) is None


def _keep_param(name: str, value: str) -> bool:
    lower = name.lower()
    return not (lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES) or is_session_param(name, value))


def _without_session_path_params(path: str) -> str:
    return _PATH_PARAM.sub(lambda m: "" if is_session_param(m.group(1), m.group(2)) else m.group(0), path)


def without_session_ids(url: str) -> str:
    """The URL without its session ids (query and path parameters), otherwise as it was."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in params if not is_session_param(name, value)]
    query = parts.query if len(kept) == len(params) else urlencode(kept)
    return urlunsplit(parts._replace(path=_without_session_path_params(parts.path), query=query))


def normalize_url(url: str) -> str:
    """The canonical spelling of a URL: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, no session ids, remaining parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    params = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(sorted((k, v) for k, v in params if _keep_param(k, v)))
    path = _without_session_path_params(parts.path) or "/"
    return urlunsplit((scheme, host, path, query, ""))


def url_key(url: str) -> str:
    """The dedup key of a URL: normalize_url without the scheme, without "www.",
    and without a trailing slash, so http/https and slash variants are one key."""
    parts = urlsplit(normalize_url(url))
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or ""
    key = f"{host}{path}"
    return f"{key}?{parts.query}" if parts.query else key


def site_host(url: str) -> str:
    """The host used as the default source name: lower-case, without "www."."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def derive_number(canonical_url: str) -> int:
    """An article number for a site that has none: the first 15 hex digits (60 bits) of the
    SHA-256 of the URL's dedup key, read as an integer. Stable across http/https, "www.",
    trailing slashes, tracking parameters and session ids."""
    digest = hashlib.sha256(url_key(canonical_url).encode("utf-8")).hexdigest()
    return int(digest[:15], 16)


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on the same site: the same host, ignoring case and "www.", and the same
    port. A scheme's default port is no port, so http://host/ and https://host/ are one site (the
    usual upgrade), but http://host/ and http://host:8080/ or https://host:8443/ are two: another
    port is another server, whoever runs it. Two `file:` URLs (pages of a saved site with no known
    address) are on the same site; any other URL without a host is on none."""
    host = site_host(url)
    if host:
        return host == site_host(other) and _port(url) == _port(other) != -1
    return _scheme(url) == "file" and _scheme(other) == "file" and not site_host(other)


def _port(url: str) -> int | None:
    """The URL's port, None for its scheme's default (or none given), -1 if it is not a port."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return -1
    return None if port == _DEFAULT_PORTS.get(parts.scheme.lower()) else port


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-case, without a default port; "" when it has no host."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return ""
    try:
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}"



# Print, AMP and mobile views of an article: another URL for the same story, never a better version.
_VARIANT_PARAMS = frozenset({"print", "printable", "printer", "printview", "print_view", "amp"})
_VARIANT_VALUES = frozenset({"print", "printable", "printer", "amp", "mobile"})
_VARIANT_VALUE_PARAMS = frozenset({"view", "format", "output", "mode", "template", "layout"})
_VARIANT_SEGMENTS = frozenset({"amp", "print", "printable", "mobile"})
_VARIANT_HOSTS = ("m.", "mobile.", "amp.")
_NOT_SET = frozenset({"0", "false", "no", "off"})


def main_version(url: str) -> str | None:
    """The article's own URL when `url` is one of its print, AMP or mobile views (`?print=1`,
    `?view=print`, `/amp/` or `/print/` at either end of the path, `.amp.html`, an `m.`, `mobile.`
    or `amp.` host); None when it is not such a view."""
    parts = urlsplit(url)
    changed = False
    params = parse_qsl(parts.query, keep_blank_values=True)
    kept = []
    for name, value in params:
        lower, folded = name.lower(), value.strip().lower()
        if (lower in _VARIANT_PARAMS and folded not in _NOT_SET) or (
            lower in _VARIANT_VALUE_PARAMS and folded in _VARIANT_VALUES
        ):
            changed = True
        else:
            kept.append((name, value))
    segments = parts.path.split("/")
    inner = [i for i, segment in enumerate(segments) if segment]
    if inner and segments[inner[-1]].lower() in _VARIANT_SEGMENTS:
        del segments[inner[-1]]
        changed = True
    elif inner and len(inner) > 1 and segments[inner[0]].lower() in _VARIANT_SEGMENTS:
        del segments[inner[0]]
        changed = True
    path = "/".join(segments)
    for suffix, plain in ((".amp.html", ".html"), (".amp", ""), (".print.html", ".html")):
        if path.lower().endswith(suffix):
            path, changed = path[: -len(suffix)] + plain, True
    netloc = parts.netloc
    host = (parts.hostname or "").lower()
    for prefix in _VARIANT_HOSTS:
        if host.startswith(prefix) and host.count(".") >= 2:
            netloc, changed = netloc[len(prefix) :] if netloc.lower().startswith(prefix) else netloc, True
            break
    if not changed:
        return None
    query = urlencode(kept) if len(kept) != len(params) else parts.query
    return urlunsplit((parts.scheme, netloc, path or "/", query, parts.fragment))
