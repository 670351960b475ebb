"""A raw page as the archive keeps it: hashed (SHA-256, its key) and gzip-compressed. Pure, and a
module of its own so that a parser process can pack pages without importing the archive."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from scraper.models import Page


@dataclass(frozen=True)
class PackedPage:
    """A raw page as the pages table keeps it: the SHA-256 of its content (the key), its size and
    its gzip bytes. Made by pack_page, which may run in any thread."""

    sha256: str
    size: int
    content: bytes
    encoding: str = "gzip"


def pack_page(page: Page) -> PackedPage:
    """The page hashed and gzip-compressed, as keep_page stores it. Pure and thread-safe; hashlib
    and zlib release the GIL, so a fetch worker can do it while the main thread writes."""
    return packed(page.content, hashlib.sha256(page.content).hexdigest())


def packed(content: bytes, digest: str) -> PackedPage:
    # mtime=0: the same content always makes the same bytes
    return PackedPage(digest, len(content), gzip.compress(content, compresslevel=1, mtime=0))
