#!/usr/bin/env python3
"""Every development set in one table: scraper's record function beside trafilatura and htmldate.

    python benchmarks/sets.py                       # all five sets, scraper and the peers, one table
    python benchmarks/sets.py --no-peers dates      # ours only, one set (quality work)
    python benchmarks/sets.py --check               # eval gate: any figure past its floor fails
    python benchmarks/sets.py --update-floor        # store today's figures as the floors
    python benchmarks/sets.py --markdown            # the table as it goes in the README

The sets and their scorer live outside the checkout, in `../shared/benchmarks/` (each set's folder
has a README: source, licence, truth, metric); `--shared DIR` points elsewhere. This script imports
that scorer (`score_sets.py`) and uses its loading and scoring functions unchanged, so the figures
are the ones the held-out halves are scored with. It adds three things: all extractors in one
table, speed as a ratio to trafilatura on the same pages in the same run (each page is given to
every extractor in turn, the order alternating page by page, so machine noise falls on all alike),
and floors (`benchmarks/sets_floor.json`): `--check` fails when a figure is below its floor (or, for
empty bodies and crashes, above its ceiling). Lowering a floor needs `--allow-regression`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "benchmarks"
FLOOR_FILE = Path(__file__).resolve().parent / "sets_floor.json"
OURS = "scraper"

# (set, figure as score_sets.summary names it, label in the table). Higher is better unless the
# figure is in LOWER_IS_BETTER.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("extraction", "body F1", "body F1"),
    ("extraction", "empty body", "empty bodies"),
    ("readability", "body F1", "body F1"),
    ("readability", "title exact", "title exact"),
    ("readability", "author exact", "author exact"),
    ("readability", "published day", "published day"),
    ("readability", "language", "language"),
    ("readability", "empty body", "empty bodies"),
    ("boilerplate", "F", "snippet F"),
    ("boilerplate", "empty body", "empty bodies"),
    ("dates", "F", "date F"),
    ("dates", "accuracy", "date accuracy"),
    ("fundus", "body F1", "body token F1"),
    ("fundus", "title exact", "title exact"),
    ("fundus", "author exact", "author exact"),
    ("fundus", "published instant", "same instant"),
    ("fundus", "published day", "published day"),
    ("fundus", "lede F1", "lede F1"),
    ("fundus", "empty body", "empty bodies"),
)
LOWER_IS_BETTER = frozenset({"empty body", "crashes"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def load_scorer(shared: Path) -> ModuleType:
    path = shared / "score_sets.py"
    if not path.exists():
        raise SystemExit(f"the scorer is not at {path} (see --shared)")
    spec = importlib.util.spec_from_file_location("score_sets", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_sets"] = module
    spec.loader.exec_module(module)
    return module


def number(figure: str) -> float | None:
    """The leading number of a summary figure ("0.973 (P ...)", "3 of 92", "0.748 (127)")."""
    found = _NUMBER.search(figure)
    return float(found.group(0)) if found else None


def score_set(scorer: ModuleType, set_name: str, root: Path, extractors: dict[str, Any]) -> dict[str, dict]:
    """{extractor: {figure: text, "seconds": s, "pages": n}} for one set, extractors interleaved."""
    pages = list(scorer.load(set_name, root))
    names = [n for n in extractors if not (n == "htmldate" and set_name != "dates")]
    tallies = {n: scorer.Tally() for n in names}
    seconds = dict.fromkeys(names, 0.0)
    crashes = dict.fromkeys(names, 0)
    for k, (_pid, url, html, truth) in enumerate(pages):
        for name in names if k % 2 == 0 else reversed(names):
            record, took, ok = scorer.run(extractors[name], html, url)
            seconds[name] += took
            crashes[name] += not ok
            scorer.score_page(set_name, truth, record, tallies[name])
    out: dict[str, dict] = {}
    for name in names:
        figures = scorer.summary(set_name, tallies[name])
        figures["crashes"] = str(crashes[name])
        out[name] = {**figures, "seconds": seconds[name], "pages": len(pages)}
    return out


def table(results: dict[str, dict[str, dict]], names: list[str], markdown: bool) -> list[str]:
    rows = [["set (pages)", "figure", *names]]
    for set_name, res in results.items():
        where = f"{set_name} ({next(iter(res.values()))['pages']})"
        for figure, label in [(f, label) for s, f, label in FIGURES if s == set_name]:
            cells = []
            for name in names:
                text = res.get(name, {}).get(figure, "")
                value = number(text) if text else None
                lower = figure in LOWER_IS_BETTER
                cells.append("-" if value is None else f"{int(value)}" if lower else f"{value:.3f}")
            rows.append([where, label, *cells])
        rates = {n: res[n]["pages"] / res[n]["seconds"] for n in names if n in res and res[n]["seconds"]}
        rows.append([where, "pages/s", *(f"{rates[n]:.0f}" if n in rates else "-" for n in names)])
        crashes = [res.get(n, {}).get("crashes", "-") for n in names]
        if any(c not in ("0", "-") for c in crashes):
            rows.append([where, "crashes", *crashes])
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
        return lines + ["| " + " | ".join(r) + " |" for r in rows[1:]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def speed_ratio(results: dict[str, dict[str, dict]]) -> float | None:
    """scraper's pages/s over trafilatura's, over every page of every set scored."""
    ours = sum(r[OURS]["seconds"] for r in results.values() if OURS in r)
    peer = sum(r["trafilatura"]["seconds"] for r in results.values() if "trafilatura" in r)
    return peer / ours if ours and peer else None


def current(results: dict[str, dict[str, dict]]) -> dict[str, float]:
    """Our figures as {"set/figure": value}, for the floors."""
    found: dict[str, float] = {}
    for set_name, res in results.items():
        ours = res.get(OURS, {})
        for figure in [f for s, f, _ in FIGURES if s == set_name] + ["crashes"]:
            value = number(ours.get(figure, "")) if ours.get(figure) else None
            if value is not None:
                found[f"{set_name}/{figure}"] = value
    return found


def gate(now: dict[str, float], floor_file: Path, *, check: bool, update: bool, allow_regression: bool) -> int:
    floors: dict[str, float] = json.loads(floor_file.read_text()) if floor_file.exists() else {}
    worse = []
    for key, value in now.items():
        if key not in floors:
            continue
        lower = key.split("/", 1)[1] in LOWER_IS_BETTER
        if (value > floors[key]) if lower else (value < floors[key] - 1e-9):
            worse.append(f"{key}: {value:g} {'above the ceiling' if lower else 'below the floor'} {floors[key]:g}")
    if update:
        if worse and not allow_regression:
            print("refusing to lower floors without --allow-regression:\n  " + "\n  ".join(worse), file=sys.stderr)
            return 1
        merged = {**floors, **{k: (v if k.split("/", 1)[1] in LOWER_IS_BETTER else int(v * 1000) / 1000)
                              for k, v in now.items()}}
        floor_file.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
        print(f"floors stored in {floor_file}")
        return 0
    if check:
        if worse:
            print("FAIL:\n  " + "\n  ".join(worse), file=sys.stderr)
            return 1
        print(f"OK: {sum(k in floors for k in now)} figures at or past their floors ({floor_file.name})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", help="sets to score (default: every set present)")
    ap.add_argument("--record", default="scraper.parse:extract_record", help="ours: MODULE:FUNC(html, url) -> record")
    ap.add_argument("--shared", type=Path, default=SHARED, help="folder holding score_sets.py and the sets")
    ap.add_argument("--no-peers", action="store_true", help="ours only: no trafilatura, no htmldate")
    ap.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    ap.add_argument("--json", type=Path, help="write every figure of every extractor here")
    ap.add_argument("--check", action="store_true", help="exit 1 when a figure is past its floor")
    ap.add_argument("--floor-file", type=Path, default=FLOOR_FILE)
    ap.add_argument("--update-floor", action="store_true", help="store today's figures as floors")
    ap.add_argument("--allow-regression", action="store_true", help="let --update-floor lower a floor")
    args = ap.parse_args(argv)

    scorer = load_scorer(args.shared)
    unknown = [s for s in args.sets if s not in scorer.SETS]
    if unknown:
        ap.error(f"unknown set {', '.join(unknown)}; choose from {', '.join(scorer.SETS)}")
    sys.path.insert(0, str(REPO))
    extractors: dict[str, Any] = {OURS: scorer.python_extractor(args.record)}
    if not args.no_peers:
        for name, fn in scorer.PEERS.items():
            try:
                importlib.import_module(name)
            except ImportError:
                print(f"# {name} is not installed (pip install -r benchmarks/requirements.txt): left out",
                      file=sys.stderr)
                continue
            extractors[name] = fn
    chosen = args.sets or [s for s, folder in scorer.SETS.items() if (args.shared / folder).exists()]
    results = {}
    for set_name in chosen:
        results[set_name] = score_set(scorer, set_name, args.shared / scorer.SETS[set_name], extractors)
        print(f"# {set_name}: done", file=sys.stderr)
    for line in table(results, list(extractors), args.markdown):
        print(line)
    ratio = speed_ratio(results)
    if ratio is not None:
        pages = sum(next(iter(r.values()))["pages"] for r in results.values())
        print(f"\nspeed: scraper {ratio:.1f}x trafilatura's pages/s over the same {pages} pages")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return gate(current(results), args.floor_file, check=args.check, update=args.update_floor,
                allow_regression=args.allow_regression)


if __name__ == "__main__":
    sys.exit(main())
