"""One scrape, top to bottom: the sources of the resolved settings (settings.py) -> for each, a
discovery walk yields batches of candidate articles -> triage against the archive (new, changed,
unchanged, out of the window) -> fetch -> parse -> store.

    session.py   run_scrape: every source, in turn or several at once; the runs table
    targets.py   a source's start: site URL, saved folder or saved page, and its fetcher
    run.py       one source: resume, start page, choose the walk, drive it, retry failures; triage
    walks/       the discovery methods behind one protocol (walks/base.py), registered in walks/__init__.py
    workers.py   where pages are parsed: in threads, or in parser processes on a big run
    ports.py     what a run needs from outside (Store, Reporter) and its words (Verdict, Ended, Mode)
    oneoff.py    extract (one page, nothing archived) and reparse (stored pages again)

The pipeline knows the archive only through the Store protocol and the terminal only through
Reporter; the CLI wires the real ones in. It never imports the archive, the CLI or the sources file.
"""

from scraper.pipeline.ports import Mode, Reporter, Stopped, Store, TargetError
from scraper.pipeline.session import RunReport, run_scrape
from scraper.pipeline.walks import methods

__all__ = ["Mode", "Reporter", "RunReport", "Stopped", "Store", "TargetError", "methods", "run_scrape"]
