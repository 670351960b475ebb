"""Commands that live in modules of their own, each registered at the bottom of scraper/cli.py.

They use cli.py's shared pieces (State, errors_to_exit_codes, window_options), so importing any of
them imports scraper.cli first, which in turn registers them all: any import order works.
"""

import scraper.cli  # noqa: F401
