"""`scraper import` of a web archive: a synthetic CC-NEWS-like WARC, made here from the fixture sites'
article pages with varied text, imported by `scraper import` (pages and records per second, CPU,
peak RSS), against the same pages parsed by trafilatura in the same run (ratios).

    python benchmarks/warc_import.py                         # 20,000 article pages, ~10 minutes on 2 busy cores
    python benchmarks/warc_import.py --pages 2000 --sample 300
    python benchmarks/warc_import.py --size-gb 1 --pad-kb 60 --sample 500   # the 1 GB file (made in a temp folder)
    python benchmarks/warc_import.py --kill-at 0.5           # also: kill -9 half-way, rerun, compare

The WARC is made as Common Crawl's news crawl makes its files: per capture a `request`, a `response`
(identity body; headers as a news server sends them) and a `metadata` record, gzip per record, many
hosts (200), a few robots.txt (text/plain), 404s and redirects among the articles.
Each article page is one of the demo sites' (kabul-post, metro-ledger, valley-herald) with its
number, URL, title and paragraphs replaced (new words drawn from the sites' own vocabulary, so the
extraction does real work on every page: no two bodies are the same). `--pad-kb N` adds an inline
script of about N KB to each page, as real news pages carry (CC-NEWS pages are 60-150 KB), which
makes a 1 GB file without a million records.

`scraper import` runs in a subprocess with its defaults (parser processes on every core). Every
0.1 s the benchmark reads from /proc the peak RSS (VmHWM) of the import process and of each of its
children (the parser processes, multiprocessing's resource tracker), and the RSS of all of them at
that moment, summed: "all together" is the most they held at once. Its CPU time is the import's
and its children's, start to end. trafilatura runs on `--sample` of the same pages: in this
process, `extract` (the body, txt) and the whole record (`output_format="json",
with_metadata=True`, as the project's peer benchmarks call it) page by page in turn, so that the
machine's load falls on both alike; and `extract` in a Pool of one process per core. The ratios are
scraper's article pages per second (wall) and per CPU-second, end to end (reading, parsing,
storing), over trafilatura's (parsing only). Progress goes to stderr, a Markdown report to stdout.
On a shared machine the wall-clock figures follow the other jobs; the CPU-second ratios much less.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.models import Exchange  # noqa: E402
from scraper.warc.records import exchange_records, gzip_member, warcinfo  # noqa: E402

FIXTURES = ROOT / "fixtures"
SITES = ("kabul-post", "metro-ledger", "valley-herald")
HOSTS = 200
START = datetime(2024, 1, 1, tzinfo=UTC)
_WORD = re.compile(r"[A-Za-z][a-z]{2,}")
_PARAGRAPH = re.compile(r"(<p(?:\s[^>]*)?>)(.*?)</p>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


class Template:
    """One fixture article page, with what to replace in it."""

    def __init__(self, expected: dict[str, object], html: str, site: dict[str, object]):
        self.html = html
        self.number = str(expected["number"])
        self.url = str(expected["url"])
        self.origin = str(site["base_url"]).rstrip("/")
        self.path = self.url[len(self.origin) :]
        self.title = str(expected["title"])
        self.body = str(expected["body"])


def templates() -> list[Template]:
    sites = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))
    found = []
    for name in SITES:
        for path in sorted((FIXTURES / "expected" / name).glob("*.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            page = ROOT / str(expected["path"])
            if page.is_file():
                found.append(Template(expected, page.read_text(encoding="utf-8"), sites[name]))
    return found


def vocabulary(found: list[Template]) -> list[str]:
    words: set[str] = set()
    for template in found:
        words.update(_WORD.findall(template.body))
    return sorted(words)


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def page(template: Template, index: int, rng: random.Random, words: list[str], pad_kb: int) -> tuple[str, bytes]:
    """The template as the index-th article of a host of its own: new number, URL, title, text."""
    host = f"news{index % HOSTS:03d}.example"
    origin = f"https://{host}"
    number = str(5_000_000 + index)
    path = re.sub(r"(\d+)(\.html)$", number + r"\2", template.path) if template.path.endswith(".html") else (
        template.path.rstrip("/") + f"-{index}/"
    )  # fmt: skip
    def paragraph(match: re.Match[str]) -> str:
        inner = match.group(2)
        words_in = len(_TAG.sub(" ", inner).split())
        if words_in < 10:
            return match.group(0)
        text = " ".join(sentence(rng, words, rng.randint(8, 20)) for _ in range(max(1, round(words_in / 14))))
        return f"{match.group(1)}{text}</p>"

    html = _PARAGRAPH.sub(paragraph, template.html)
    title = f"{template.title.rsplit(' ', 2)[0]} {rng.choice(words)} {rng.choice(words)}"
    html = html.replace(template.title, title)
    html = html.replace(template.origin + template.path, origin + path).replace(template.path, path)
    html = html.replace(template.origin, origin).replace(template.number, number)
    if pad_kb:
        script = "".join(f"var v{n}='{rng.getrandbits(64):016x}';" for n in range(pad_kb * 1024 // 28))
        html = html.replace("</head>", f"<script>{script}</script></head>", 1)
    return origin + path, html.encode("utf-8")


def exchange(
    url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, when: datetime
) -> Exchange:
    host = url.split("/")[2]
    target = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    return Exchange(
        url=url, method="GET", request_target=target,
        request_headers=(("Host", host), ("User-Agent", "CCBot/2.0 (https://commoncrawl.org/faq/)"),
                         ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"), ("Accept-Encoding", "gzip")),
        http_version="HTTP/1.1", status=status, reason=reason,
        response_headers=(("Date", when.strftime("%a, %d %b %Y %H:%M:%S GMT")), ("Server", "nginx"), *headers,
                          ("Content-Length", str(len(body)))),
        body=body, started=when,
    )  # fmt: skip


def metadata(url: str, when: datetime, concurrent: str) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders  # noqa: F401  (the record is written by hand, as CC's are)

    payload = f"fetchTimeMs: {random.randint(40, 900)}\r\n".encode()
    head = (
        f"WARC/1.0\r\nWARC-Type: metadata\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: {when.strftime('%Y-%m-%dT%H:%M:%SZ')}\r\nWARC-Concurrent-To: {concurrent}\r\n"
        f"WARC-Record-ID: <urn:uuid:{random.getrandbits(128):032x}>\r\n"
        f"Content-Type: application/warc-fields\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return gzip_member(head + payload + b"\r\n\r\n")


def make_warc(path: Path, pages: int, pad_kb: int, size: int | None, seed: int = 20240101) -> dict[str, int]:
    """Write the synthetic WARC; returns what is in it."""
    found = templates()
    words = vocabulary(found)
    rng = random.Random(seed)
    random.seed(seed)
    counts = {"article pages": 0, "other responses": 0, "records": 0}
    html_headers = [("Content-Type", "text/html; charset=UTF-8"), ("Cache-Control", "max-age=300")]
    with path.open("wb") as out:
        info, _ = warcinfo(path.name, {"software": "benchmarks/warc_import.py", "format": "WARC File Format 1.1",
                                       "description": "synthetic CC-NEWS-like crawl"}, START)  # fmt: skip
        out.write(info)
        counts["records"] += 1
        index = 0
        while (size is None and counts["article pages"] < pages) or (size is not None and out.tell() < size):
            when = START + timedelta(seconds=index * 3)
            roll = rng.random()
            if roll < 0.01:
                url, status, reason = f"https://news{index % HOSTS:03d}.example/robots.txt", 200, "OK"
                ex = exchange(url, status, reason, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n", when)
                counts["other responses"] += 1
            elif roll < 0.02:
                url = f"https://news{index % HOSTS:03d}.example/missing-{index}/"
                ex = exchange(url, 404, "Not Found", html_headers, b"<html><body>Not found</body></html>", when)
                counts["other responses"] += 1
            elif roll < 0.03:
                url = f"https://news{index % HOSTS:03d}.example/?p={index}"
                headers = [("Location", f"https://news{index % HOSTS:03d}.example/moved-{index}/"), *html_headers]
                ex = exchange(url, 301, "Moved Permanently", headers, b"", when)
                counts["other responses"] += 1
            else:
                url, body = page(found[index % len(found)], index, rng, words, pad_kb)
                ex = exchange(url, 200, "OK", html_headers, body, when)
                counts["article pages"] += 1
            response, request, record_id = exchange_records(ex)
            out.write(request + response + metadata(ex.url, when, record_id))
            counts["records"] += 3
            index += 1
            if index % 2000 == 0:
                print(f"  made {index:,} captures, {out.tell() / 1e6:,.0f} MB", file=sys.stderr)
    counts["bytes"] = path.stat().st_size
    return counts


# -- measuring ----------------------------------------------------------------------------------
def _status(pid: int, field: str) -> int:
    """A size from /proc/PID/status (VmHWM: peak RSS; VmRSS: RSS now), in bytes (0: gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) the process has used so far, from /proc/PID/stat (0: gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The processes any thread of `pid` started (its parser processes, multiprocessing's resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # (a thread that has ended)
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def run_import(db: Path, warc: Path, kill_at: float | None = None) -> dict[str, object]:
    """`scraper import --json -q` in a subprocess: its peak RSS (VmHWM), its parser processes'
    (the largest), and the peak of their sum (RSS of all of them read at the same moment, every 0.1 s)."""
    command = [sys.executable, "-m", "scraper", "--db", str(db), "import", "--json", "-q", str(warc)]
    cpu = _children_cpu()
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak, workers, together = 0, 0, 0
    parsing: dict[int, float] = {}  # each child's CPU seconds, as last read
    while process.poll() is None:
        children = _children(process.pid)
        for child in children:
            parsing[child] = max(parsing.get(child, 0.0), _cpu(child))
        peak = max(peak, _status(process.pid, "VmHWM"))
        workers = max([workers, *(_status(child, "VmHWM") for child in children)])
        together = max(together, _status(process.pid, "VmRSS") + sum(_status(c, "VmRSS") for c in children))
        if kill_at is not None and time.monotonic() - started > kill_at:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return {"killed": True, "seconds": time.monotonic() - started}
        time.sleep(0.1)
    out, err = process.communicate()
    seconds = time.monotonic() - started
    cpu = _children_cpu() - cpu  # the import and its parser processes (each waited for by its parent)
    if process.returncode not in (0, 1):
        raise SystemExit(f"scraper import failed ({process.returncode}): {err.decode()[-2000:]}")
    summary = json.loads(out.decode().strip().splitlines()[-1])
    return {"summary": summary, "seconds": seconds, "cpu": cpu, "parser_cpu": sum(parsing.values()), "rss": peak,
            "parser_rss": workers, "all_rss": together, "stderr": err.decode()}  # fmt: skip


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def article_pages(warc: Path, limit: int) -> Iterator[tuple[str, str]]:
    from scraper.warc.reader import read_warc

    with warc.open("rb") as stream:
        count = 0
        for entry in read_warc(stream, str(warc), seekable=True):
            if entry.page is not None:
                yield entry.page.final_url, entry.page.content.decode("utf-8")
                count += 1
                if count >= limit:
                    return


def _trafilatura(item: tuple[str, str]) -> int:
    """trafilatura's text of the page (its body, as `extract` gives it by default)."""
    import trafilatura

    text = trafilatura.extract(item[1], url=item[0])
    return len(text or "")


def _trafilatura_record(item: tuple[str, str]) -> int:
    """trafilatura's record of the page: body and metadata (title, author, date...), as the
    project's peer benchmarks call it (/work/shared/benchmarks/score_sets.py)."""
    import trafilatura

    text = trafilatura.extract(item[1], url=item[0], output_format="json", with_metadata=True, include_comments=False)
    return len(text or "")


def run_trafilatura_here(pages: list[tuple[str, str]]) -> dict[str, float]:
    """trafilatura in this process, body only and whole record, page by page in turn (so that the
    machine's load falls on both alike): pages per second of wall and of CPU time, each."""
    _trafilatura(pages[0])  # (its imports and caches, outside the clock)
    _trafilatura_record(pages[0])
    wall = {"body": 0.0, "record": 0.0}
    cpu = {"body": 0.0, "record": 0.0}
    for item in pages:
        for name, extract in (("body", _trafilatura), ("record", _trafilatura_record)):
            began, used = time.monotonic(), time.process_time()
            extract(item)
            wall[name] += time.monotonic() - began
            cpu[name] += time.process_time() - used
    return {f"{name} {kind}": len(pages) / spent[name] for kind, spent in (("wall", wall), ("cpu", cpu))
            for name in ("body", "record")}  # fmt: skip


def _timed_trafilatura(item: tuple[str, str]) -> float:
    """_trafilatura in a Pool process: the CPU time it took (the process's start and imports not counted)."""
    used = time.process_time()
    _trafilatura(item)
    return time.process_time() - used


def run_trafilatura_pool(pages: list[tuple[str, str]], processes: int) -> tuple[float, float]:
    """trafilatura's body on every core (a Pool of `processes`): pages per second of wall time and
    of CPU time."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(_trafilatura, pages[:processes], chunksize=1)  # warm every process
        started = time.monotonic()
        used = sum(pool.map(_timed_trafilatura, pages, chunksize=8))
        wall = time.monotonic() - started
    return len(pages) / wall, len(pages) / max(used, 1e-9)


def rows(db: Path) -> list[tuple[object, ...]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("select source, number, url, title, body, published, content_hash from articles "
                            "order by source, number").fetchall()  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000, help="article pages in the WARC (default 20,000)")
    parser.add_argument("--size-gb", type=float, help="make the WARC this big instead (e.g. 1)")
    parser.add_argument("--pad-kb", type=int, default=0, help="an inline script of about N KB in each page")
    parser.add_argument("--sample", type=int, default=2000, help="pages trafilatura parses (default 2,000)")
    parser.add_argument("--no-peer", action="store_true", help="skip trafilatura")
    parser.add_argument("--kill-at", type=float, help="also: kill -9 the import this far in (0-1), rerun, compare")
    parser.add_argument("--work", type=Path, help="make (or reuse) the WARC and archives here, and keep them "
                        "(default: a temporary folder, deleted at the end)")  # fmt: skip
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="warc-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print("\n".join(benchmark(args, work)))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def benchmark(args: argparse.Namespace, work: Path) -> list[str]:
    """Make the WARC in `work` (unless it is there), import it, run trafilatura; the report's lines."""
    warc = work / "CC-NEWS-synthetic-00000.warc.gz"
    size = int(args.size_gb * 1e9) if args.size_gb else None
    if not warc.exists():
        print(f"making {warc} ...", file=sys.stderr)
        began = time.monotonic()
        made = make_warc(warc, args.pages, args.pad_kb, size)
        print(f"  {made} in {time.monotonic() - began:.0f} s", file=sys.stderr)
    print("importing ...", file=sys.stderr)
    db = work / "import.db"
    db.unlink(missing_ok=True)
    result = run_import(db, warc)
    summary = result["summary"]
    assert isinstance(summary, dict)
    print(f"  {summary}", file=sys.stderr)
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    cpu = float(result["cpu"])  # type: ignore[arg-type]
    pages = summary["new"] + summary["updated"] + summary["unchanged"] + summary["skipped_by"].get("not an article", 0)
    records = summary["discovered"]
    rate, per_cpu = pages / seconds, pages / cpu
    parser_cpu = float(result["parser_cpu"])  # type: ignore[arg-type]
    per_parser_cpu = pages / max(parser_cpu, 1e-9)
    mb = 2**20
    report = [
        f"WARC: {warc.stat().st_size / 1e6:,.0f} MB, {pages:,} article pages ({records:,} response records); "
        f"{len(os.sched_getaffinity(0))} cores; import {seconds:,.1f} s, {records / seconds:,.0f} response records/s",
        "",
        f"peak RSS: import process {int(result['rss']) / mb:,.0f} MB, each parser process at most "  # type: ignore[call-overload]
        f"{int(result['parser_rss']) / mb:,.0f} MB, all of them together {int(result['all_rss']) / mb:,.0f} MB",  # type: ignore[call-overload]
        "",
        "| | pages/s | scraper's ratio | pages per CPU-second | scraper's ratio |",
        "|---|---:|---:|---:|---:|",
        f"| scraper import (every core; read, parse, store) | {rate:,.0f} | | {per_cpu:,.0f} | |",
        f"| scraper import's parser processes alone (parse, pack) | | | {per_parser_cpu:,.0f} | |",
    ]
    if not args.no_peer:
        sample = list(article_pages(warc, args.sample))
        cores = len(os.sched_getaffinity(0))
        print(f"trafilatura on {len(sample):,} of the same pages ...", file=sys.stderr)
        here = run_trafilatura_here(sample)
        every, every_cpu = run_trafilatura_pool(sample, cores) if cores > 1 else (here["body wall"], here["body cpu"])
        for name, wall, used in (
            ("trafilatura body (extract), 1 process", here["body wall"], here["body cpu"]),
            ("trafilatura record (body and metadata, json), 1 process", here["record wall"], here["record cpu"]),
            (f"trafilatura body (extract), {cores} processes", every, every_cpu),
        ):
            report.append(f"| {name} | {wall:,.0f} | {rate / wall:.2f}x | {used:,.0f} | {per_cpu / used:.2f}x "
                          f"(parsing: {per_parser_cpu / used:.2f}x) |")
    if args.kill_at is not None:
        killed = work / "killed.db"
        killed.unlink(missing_ok=True)
        at = seconds * args.kill_at
        print(f"kill -9 at {at:.1f} s, then again to the end ...", file=sys.stderr)
        run_import(killed, warc, kill_at=at)
        again = run_import(killed, warc)
        same = rows(killed) == rows(db)
        resumed = next((line for line in str(again["stderr"]).splitlines() if "resumed" in line), "")
        report += ["", f"kill -9 at {at:.1f} s, rerun: {again['summary']}; same rows as the clean import: {same}",
                   f"  {resumed}"]  # fmt: skip
    return report


if __name__ == "__main__":
    main()
