"""Which shard a source is in, so N machines split the configured sources with no coordination.

A source is in shard K of N (1 <= K <= N, counted from 1 as Jest's and Playwright's `--shard K/N`
are) by its name alone: the first 8 bytes of the SHA-256 of the name (UTF-8), read as a big-endian
integer, through jump consistent hashing (Lamping and Veach, "A Fast, Minimal Memory, Consistent
Hash Algorithm", 2014). Every machine computes the same answer from the same name, on any Python
and any platform (never Python's own hash(), which is salted per process), and growing from N to
N+1 shards moves only about 1/(N+1) of the sources, each to the new shard, instead of most of
them as `hash mod N` would. Pure.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from scraper.errors import ConfigError

_MASK = (1 << 64) - 1
_SHAPE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def shard_of(name: str, count: int) -> int:
    """The shard (1 to count) that holds the source called `name`."""
    if count < 1:
        raise ValueError(f"a shard count must be at least 1, not {count}")
    key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    bucket, candidate = -1, 0
    while candidate < count:  # jump consistent hash: each step jumps to the next bucket the key would move to
        bucket = candidate
        key = (key * 2862933555777941757 + 1) & _MASK
        candidate = int((bucket + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return bucket + 1


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (both counted from 1)."""

    index: int
    count: int

    def holds(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str, where: str = "--shard") -> Shard:
    """`K/N` as the user wrote it; a ConfigError (a usage error) naming `where` and the value if not."""
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        raise ConfigError(f"{where}: {text!r} is not K/N (e.g. 2/3: the second of three shards)")
    index, count = int(shape.group(1)), int(shape.group(2))
    if count < 1:
        raise ConfigError(f"{where}: {text!r}: N, the number of shards, must be at least 1")
    if not 1 <= index <= count:
        raise ConfigError(f"{where}: {text!r}: K must be between 1 and N ({count}); shards count from 1")
    return Shard(index, count)
