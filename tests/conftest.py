from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ServerFactory

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
REFERENCE = FIXTURES / "reference" / "000_2ce565fa5741faf5.txt"  # a copy of the spec's reference record


@pytest.fixture
def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def without_comment_form(text: str) -> str:
    """The reference text without its last two non-blank lines (the comment-form boilerplate)."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    return "\n".join(lines[: nonblank[-2]]).rstrip("\n")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def loopback() -> Iterator[ServerFactory]:
    """`loopback(routes=..., folder=...)` starts a real server on 127.0.0.1; all stop after the test."""
    with ServerFactory() as factory:
        yield factory
