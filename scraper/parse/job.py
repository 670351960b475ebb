"""What a parser process runs (scraper/pipeline/workers.py starts them): one page parsed, and whatever
else the caller asks done there (compressing it for the archive).

A module of its own, importing only the parsers: a parser process is started fresh ("spawn") and
imports the module of each function it is sent, so had these lived in pipeline/workers.py, every
parser process would import the whole pipeline (fetching, requests, TLS) for nothing, and the
archive (sqlite-utils) for pack_page (scraper/packing.py now): ~25 MB more of each process's RSS.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from scraper.errors import NotAnArticle, ParseError, ServedInstead
from scraper.models import Page
from scraper.parse import parse_page


def start_worker() -> None:
    """Ctrl-C (and systemd's SIGTERM) reaches the whole process group: the run stops its parser
    processes itself, so they need not each print a KeyboardInterrupt traceback (or die with jobs
    the run still waits for). And a parser process must not outlive its
    run: if the run is killed (kill -9, the OOM killer), nothing would ever tell it to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # systemd stops the whole group: the run stops them
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="watch-parent", daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent process is gone
    os._exit(0)


def ready() -> None:
    """Nothing: sent to a new pool once per process, to start them all (see pipeline/workers.py)."""


def parse_job(
    page: Page,
    timezone: tzinfo | None,
    source: str | None,
    selectors: dict[str, str],
    then: Callable[[Page], Any] | None = None,
) -> tuple[Any, ...]:
    """Runs in a parser process (or, without one, in the calling thread). Exceptions come back as
    plain tuples: ours keep their fields that way (their own pickling would lose them), and a
    parser bug becomes its type and message."""
    try:
        article = parse_page(page, timezone=timezone, source=source, selectors=selectors)  # type: ignore[arg-type]
    except NotAnArticle as error:
        return ("not-article", error.url, error.reason)
    except ServedInstead as error:
        return ("served-instead", error.url, error.reason, error.kind)
    except ParseError as error:
        return ("parse-error", error.url, error.reason)
    except Exception as error:  # a parser bug: the caller reports it as one
        return ("crash", type(error).__name__, str(error))
    return ("ok", article, then(page) if then is not None else None)


def parse_jobs(jobs: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """parse_job for each of several pages, in one trip to the parser process and back (a long
    import sends its pages a few at a time: one trip each would cost the importing process as much
    CPU as storing them)."""
    return [parse_job(*job) for job in jobs]
