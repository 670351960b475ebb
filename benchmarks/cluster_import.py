"""`scraper import --dask` against the single-process `scraper import` of the same WARC files: a
LocalCluster of --workers worker processes (one thread each) on loopback, as `dask scheduler` and
`dask worker --nthreads 1` on as many machines would be, against `scraper import` with its parser
processes (one per core). Both import into an empty archive; the two archives are then compared
(articles by content hash, revisions, URLs, page links), and the ratio of the wall clocks is the result.

    python benchmarks/cluster_import.py                       # 4 files of 1,500 article pages, 2 workers
    python benchmarks/cluster_import.py --files 8 --pages 3000 --workers 4

The pages are the kabul-post fixture site's article pages, each made into many: a number of its
own (the post id throughout the page), an address of its own and a body of random sentences of
3-8 KB, so every record is a new article, as in a day of CC-NEWS. Each file is written by warcio
(gzip per record) with a non-HTML record and a 404 every 100 pages. The report is Markdown on
stdout; progress goes to stderr. On one machine the cluster shares its cores with the merge (which
runs here, in the client, while the workers parse), so expect about the single-process speed or
less: what the cluster buys is more machines, not more speed on the same cores.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "sites" / "kabul-post"
WORDS = [
    "harbour", "council", "bridge", "school", "floods", "team", "final", "museum", "storm", "ferry", "market",
    "library", "station", "festival", "minister", "province", "election", "budget", "hospital", "road", "court",
    "police", "river", "winter",
]  # fmt: skip
BODY = re.compile(rb'(<div class="entry-content">).*?(</div><!-- \.entry-content -->)', re.S)
POST_ID = re.compile(rb"postid-(\d+)")
COMPARED = {
    "articles": "source, number, url, title, body, published, fetched_at, content_hash",
    "revisions": "source, number, content_hash",
    "article_urls": "*",
    "article_pages": "source, number, sha256, warc_file, warc_offset, warc_length, warc_record_id",
}


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def templates() -> list[tuple[bytes, bytes]]:
    """The site's article pages, each with its post id."""
    found = []
    for page in sorted(SITE.glob("20*/**/index.html")):
        html = page.read_bytes()
        post = POST_ID.search(html)
        if post and BODY.search(html):
            found.append((html, post.group(1)))
    return found


def page(template: tuple[bytes, bytes], number: int, pick: random.Random) -> bytes:
    html, post = template
    paragraphs = []
    for _ in range(pick.randint(6, 16)):
        sentences = " ".join(
            " ".join(pick.choice(WORDS) for _ in range(pick.randint(8, 16))).capitalize() + "."
            for _ in range(pick.randint(3, 5))
        )
        paragraphs.append(f"<p>{sentences}</p>".encode())
    html = BODY.sub(lambda m: m.group(1) + b"".join(paragraphs) + m.group(2), html, count=1)
    return html.replace(post, str(number).encode())


def write_warcs(folder: Path, files: int, pages: int) -> list[Path]:
    made, pick, pool = [], random.Random(13), templates()
    number = 100_000
    for index in range(files):
        path = folder / f"CC-NEWS-2026120{index % 10}{index:05d}-{index:05d}.warc.gz"
        with path.open("wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "benchmarks/cluster_import.py"}))
            for n in range(pages):
                number += 1
                day = 1 + number % 28
                url = f"https://kabul-post.example/2021/02/{day:02d}/story-{number}/"
                body = page(pool[number % len(pool)], number, pick)
                record(writer, url, body, "text/html; charset=utf-8", "200 OK", f"2021-02-{day:02d}T06:00:00Z")
                if n % 100 == 99:
                    site = "https://kabul-post.example"
                    record(writer, f"{site}/logo-{number}.png", b"\x89PNG....", "image/png", "200 OK")
                    record(writer, f"{site}/gone-{number}/", b"gone", "text/html", "404 Not Found")
        made.append(path)
    return made


def record(
    writer: WARCWriter, url: str, body: bytes, kind: str, status: str, date: str = "2021-02-01T06:00:00Z"
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", kind), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    made = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                                     warc_headers_dict={"WARC-Date": date})  # fmt: skip
    writer.write_record(made)


def timed(command: list[str]) -> tuple[float, dict[str, object]]:
    begun = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - begun
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr[-800:]}")
    return seconds, json.loads(done.stdout)


def tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"select {c} from {t}").fetchall(), key=repr) for t, c in COMPARED.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--pages", type=int, default=1500, help="article pages per file")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="cluster-import-"))
    try:
        progress(f"writing {args.files} WARC files of {args.pages:,} article pages")
        files = write_warcs(work, args.files, args.pages)
        size = sum(f.stat().st_size for f in files) / 1e6
        scraper = [sys.executable, "-m", "scraper"]
        progress("single-process import")
        alone, one = timed([*scraper, "--db", str(work / "plain.db"), "import", "--json", *map(str, files)])
        progress(f"  {alone:.1f} s; starting a LocalCluster of {args.workers} workers")
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:  # fmt: skip
            progress("import --dask")
            spread, two = timed([*scraper, "--db", str(work / "spread.db"), "import", "--json", "--dask",
                                 cluster.scheduler_address, *map(str, files)])  # fmt: skip
        progress(f"  {spread:.1f} s; comparing the archives")
        same = tables(work / "plain.db") == tables(work / "spread.db")
        records = int(str(one["discovered"]))
        parsing = sum(float(str(f["seconds"])) for f in two["files"].values())  # type: ignore[union-attr]
        merging = float(str(two["merge_seconds"]))
        print(f"## import --dask ({args.workers} workers) against the single-process import\n")
        print(f"{args.files} WARC files, {records:,} records ({size:.0f} MB gzip), {one['new']:,} articles; "
              f"the two archives {'are the same' if same else 'DIFFER'} (articles, revisions, URLs, page links).\n")
        print("| import | wall s | records/s | ratio |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| single process (parser processes: one per core) | {alone:.1f} | {records / alone:,.0f} | 1.00× |")
        print(f"| --dask, {args.workers} workers × 1 thread | {spread:.1f} | {records / spread:,.0f} | "
              f"{alone / spread:.2f}× |")
        print(f"\nOn the cluster: {parsing:.1f} s of parsing into shards (summed over the files), "
              f"{merging:.1f} s merging them here ({one['new']:,} articles: "
              f"{int(str(one['new'])) / max(merging, 1e-9):,.0f} articles/s), overlapping the parse of later files.")
        if not same:
            raise SystemExit("the archives differ")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
