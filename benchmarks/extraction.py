#!/usr/bin/env python3
"""Body-extraction benchmark: scraper's `extract_body` and trafilatura side by side, in one process.

    python benchmarks/extraction.py                      # F1/P/R + speed, ours and trafilatura
    python benchmarks/extraction.py --no-peer --worst 15 # ours only, the 15 worst pages
    python benchmarks/extraction.py --check              # eval gate: F1 below the stored floor fails
    python benchmarks/extraction.py --update-floor       # raise the floor to the current F1

Quality uses the benchmark's own metric, imported by path from its scorer
(`../shared/benchmarks/score_extraction.py`, 4-gram shingle precision/recall, F1 of the means).
Speed: the two extractors run alternately on each page (which one goes first alternates too), so
machine noise falls on both alike; after `--warmup` untimed pages, every page is timed `--repeat`
times per extractor and its fastest time is kept (as `timeit` does). Reported: median and mean
ms/page, pages/s (pages / sum of per-page times) and ours/peer ratio. Peak RSS of ours is measured
in a child process that imports only scraper and extracts every page once.

The floor (`benchmarks/extraction_floor.json`) is what `--check` compares F1 against; lowering
it needs `--allow-regression`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCORER = REPO.parent / "shared" / "benchmarks" / "score_extraction.py"
DEFAULT_PAGES = REPO.parent / "shared" / "benchmarks" / "article-extraction-dev" / "html"
FLOOR_FILE = Path(__file__).resolve().parent / "extraction_floor.json"


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_extraction"] = module
    spec.loader.exec_module(module)
    return module


def load_function(spec: str):
    module_name, _, name = spec.partition(":")
    sys.path.insert(0, str(REPO))
    return getattr(importlib.import_module(module_name), name)


def peer_function(mode: str):
    import trafilatura

    options = {"precision": {"favor_precision": True}, "default": {}, "nocomments": {"include_comments": False}}[mode]

    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run, f"trafilatura {_version('trafilatura')} ({mode})"


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _call(fn, html: str, url: str | None) -> tuple[str, float]:
    t0 = time.perf_counter()
    try:
        text = fn(html, url) or ""
    except Exception as exc:  # a crash counts as empty output, as in the scorer
        print(f"  ! {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
        text = ""
    return text, time.perf_counter() - t0


def run_side_by_side(extractors, pages, urls, ids, warmup: int, repeat: int):
    """{name: (predictions, per-page seconds)} with alternating order per page and repeat."""
    for i in ids[:warmup]:
        for _, fn in extractors:
            _call(fn, pages[i], urls[i])
    preds: dict[str, dict[str, str]] = {name: {} for name, _ in extractors}
    best: dict[str, dict[str, float]] = {name: {} for name, _ in extractors}
    for r in range(repeat):
        for k, i in enumerate(ids):
            order = extractors if (k + r) % 2 == 0 else list(reversed(extractors))
            for name, fn in order:
                text, seconds = _call(fn, pages[i], urls[i])
                preds[name].setdefault(i, text)
                best[name][i] = min(seconds, best[name].get(i, seconds))
    return {name: (preds[name], [best[name][i] for i in ids]) for name, _ in extractors}


def speed(seconds: list[float]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "median_ms": 1000 * statistics.median(seconds),
        "mean_ms": 1000 * total / len(seconds),
        "pages_per_s": len(seconds) / total if total else float("inf"),
    }


def child_rss(func: str, pages_dir: Path, scorer: Path) -> dict[str, float]:
    """Peak RSS (MiB) of a child that loads the pages, then extracts each once with ours only."""
    code = f"""
import resource, sys, json
sys.path.insert(0, {str(REPO)!r})
import importlib.util
spec = importlib.util.spec_from_file_location("s", {str(scorer)!r}); s = importlib.util.module_from_spec(spec)
spec.loader.exec_module(s)
from pathlib import Path
ids = sorted(p.name.split(".")[0] for p in Path({str(pages_dir)!r}).iterdir() if ".html" in p.name)
import importlib as il
mod, _, name = {func!r}.partition(":"); fn = getattr(il.import_module(mod), name)
def hwm():  # this process's own peak (ru_maxrss would carry the parent's over fork/exec)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = hwm()
for i in ids:
    html = s.load_pages(Path({str(pages_dir)!r}), [i])[i]
    fn(html, None)
after = hwm()
print(json.dumps({{"before": before / 1024, "after": after / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_floor(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the benchmark's score_extraction.py")
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="folder of ID.html.gz pages")
    ap.add_argument("--truth", type=Path, help="ground-truth.json (default: PAGES/../ground-truth.json)")
    ap.add_argument("--func", default="scraper.parse:extract_body", help="ours: MODULE:FUNC(html, url) -> str")
    ap.add_argument("--peer", default="precision", choices=("precision", "default", "nocomments"),
                    help="trafilatura options: favor_precision (its best on this set), defaults, no comments")
    ap.add_argument("--no-peer", action="store_true", help="run ours only (quality work; no speed ratio)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed pages before timing (default 5)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per page, fastest kept (default 3)")
    ap.add_argument("--n-bootstrap", type=int, default=200, help="bootstrap resamples for the ± (default 200)")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS child run")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages of ours")
    ap.add_argument("--save-dir", type=Path, help="write NAME.predictions.json (benchmark format) here")
    ap.add_argument("--check", action="store_true", help="exit 1 when ours scores below the stored F1 floor")
    ap.add_argument("--floor-file", type=Path, default=FLOOR_FILE)
    ap.add_argument("--update-floor", action="store_true", help="store the current F1 (3 decimals, rounded down)")
    ap.add_argument("--allow-regression", action="store_true", help="let --update-floor lower the floor")
    args = ap.parse_args(argv)

    if not args.scorer.exists() or not args.pages.is_dir():
        print(f"benchmark not found: {args.scorer} / {args.pages} (see --scorer, --pages)", file=sys.stderr)
        return 2
    scorer = load_scorer(args.scorer)
    truth_path = args.truth or args.pages.parent / "ground-truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    ids = sorted(truth)
    pages = scorer.load_pages(args.pages, ids)
    urls = {i: truth[i].get("url") for i in ids}

    ours = ("ours " + args.func, load_function(args.func))
    extractors = [ours]
    if not args.no_peer:
        run, label = peer_function(args.peer)
        extractors.append((label, run))
    results = run_side_by_side(extractors, pages, urls, ids, args.warmup, args.repeat)

    print(f"# {len(ids)} pages from {args.pages}; warmup {args.warmup}, best of {args.repeat} per page, "
          f"alternating order")
    print(f"{'extractor':<44} {'F1':>6} {'P':>6} {'R':>6} {'±F1':>6} {'med ms':>7} {'mean ms':>8} {'pages/s':>8}")
    rows = {}
    for name, (preds, seconds) in results.items():
        m = scorer.score(truth, preds, ids, args.n_bootstrap)
        s = speed(seconds)
        rows[name] = {**m, **s}
        print(f"{name:<44} {m['f1']:6.4f} {m['precision']:6.4f} {m['recall']:6.4f} {m.get('f1_std', 0):6.3f} "
              f"{s['median_ms']:7.1f} {s['mean_ms']:8.1f} {s['pages_per_s']:8.1f}")
        if args.save_dir:
            args.save_dir.mkdir(parents=True, exist_ok=True)
            safe = "ours" if name == ours[0] else "peer"
            (args.save_dir / f"{safe}.predictions.json").write_text(json.dumps(
                {"version": "", "output": {i: {"articleBody": preds[i]} for i in ids}}, ensure_ascii=False, indent=1))
    ours_row = rows[ours[0]]
    if len(rows) > 1:
        peer_row = rows[extractors[1][0]]
        print(f"speed ratio ours/peer: {ours_row['pages_per_s'] / peer_row['pages_per_s']:.2f}x pages/s "
              f"(median {peer_row['median_ms'] / ours_row['median_ms']:.2f}x)")
    if not args.no_rss:
        rss = child_rss(args.func, args.pages, args.scorer)
        print(f"peak RSS, ours alone: {rss['after']:.0f} MiB after all pages "
              f"({rss['before']:.0f} MiB after imports, one page in memory at a time)")
    print(f"process peak RSS (both extractors, all pages loaded): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    if args.worst:
        preds = results[ours[0]][0]
        per_page = []
        for i in ids:
            c = scorer.page_counts(truth[i].get("articleBody", ""), preds[i])
            per_page.append((scorer.page_f1(c), scorer._precision(*c), scorer._recall(*c), i))
        print(f"# worst {args.worst} pages (F1 P R id url)")
        for f1, p, r, i in sorted(per_page)[: args.worst]:
            print(f"{f1:.3f} {p:.3f} {r:.3f} {i[:8]} {urls[i]}")

    return gate(args, ours_row["f1"])


def gate(args: argparse.Namespace, f1: float) -> int:
    floor = read_floor(args.floor_file)
    stored = float(floor.get("f1", 0.0))
    if args.update_floor:
        new = int(f1 * 1000) / 1000
        if new < stored and not args.allow_regression:
            print(f"refusing to lower the F1 floor {stored:.3f} -> {new:.3f} without --allow-regression",
                  file=sys.stderr)
            return 1
        name = args.pages.name if args.pages.name != "html" else args.pages.parent.name
        floor.update({"f1": new, "pages": name})
        args.floor_file.write_text(json.dumps(floor, indent=2) + "\n")
        print(f"F1 floor set to {new:.3f} in {args.floor_file}")
    if args.check:
        if f1 < stored:
            print(f"FAIL: F1 {f1:.4f} is below the floor {stored:.3f} ({args.floor_file})", file=sys.stderr)
            return 1
        print(f"OK: F1 {f1:.4f} >= floor {stored:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
