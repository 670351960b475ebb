"""sqlite-utils, imported without numpy and pandas: every archive module takes it from here.

sqlite-utils imports numpy and pandas when they are installed, to accept their values in inserts.
scraper never inserts any, and numpy is installed only for py3langid, which the parser processes
use. Imported by sqlite-utils, numpy cost every process that opens an archive 15 MB of RSS (the
import process of `scraper import` beside its parser processes, a cron run). So sqlite-utils is
imported here with both hidden from it. They stay importable afterwards for whoever needs them,
and a process that imported them first keeps them.
"""

from __future__ import annotations

import sys

_HIDDEN = ("numpy", "pandas")
_saved = {name: sys.modules.pop(name, None) for name in _HIDDEN}
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # `import numpy` now raises ImportError
try:
    import sqlite_utils
finally:
    for _name, _module in _saved.items():
        if _module is None:
            del sys.modules[_name]
        else:
            sys.modules[_name] = _module

__all__ = ["sqlite_utils"]
