"""One source's scrape, top to bottom: resume what an interrupted run left, read the start page,
choose the discovery methods, and drive the walk batch by batch (triage against the archive ->
fetch -> parse -> store), then retry earlier failures.

Discovery and all archive writes happen on the calling thread; only fetching and parsing article
pages go to a small thread pool (the fetcher's throttle keeps each host polite), and the parsing
itself to parser processes on a big run (workers.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Literal

from scraper.discover import guess_kind
from scraper.errors import FetchError, NotAnArticle, ParseError, RobotsDisallowed, ScraperError, ServedInstead
from scraper.fetch.robots import RobotsUnavailable
from scraper.models import Article, Clearance, Counts, Ledger, Page, Parsed, PublishedApi
from scraper.parse import listing_served_instead, looks_like_article
from scraper.pipeline.dating import Dating
from scraper.pipeline.metered import Metered
from scraper.pipeline.owners import SAME_TEXT_UNDER, owned, real_edit, refused, renumbered, same_story, same_text
from scraper.pipeline.ports import Ended, KnownArticle, Mode, Reporter, Stopped, Store, Verdict
from scraper.pipeline.targets import Target
from scraper.pipeline.walks import Batch, Candidate, NotHere, choose
from scraper.pipeline.walks.listing import ListingWalk
from scraper.pipeline.workers import ParserCrash, Parsers
from scraper.settings import RunSettings
from scraper.urls import origin_of, same_site, site_host, url_key
from scraper.window import Window

Result = Parsed | ScraperError
Tally = Literal["skipped", "unchanged"]  # the Counts field a candidate that is not fetched counts in
COLLISIONS = 3  # numbers tried for one article before it fails (its own, then derived ones)


class _SourceDown(Exception):
    """The source's robots.txt could not be read: nothing more of it is fetched this run."""

    def __init__(self, error: RobotsUnavailable):
        self.error = error


@dataclass
class _Planned:
    """A batch after triage: what to store without fetching, what to fetch, and the results."""

    batch: Batch
    ready: list[tuple[str, Parsed]]  # records discovery's own data gave
    urls: list[str]  # to fetch
    go_on: bool  # what triage alone says: go on to the next page
    results: Iterable[tuple[str, Result]] = field(default=())


class Run:
    """Scrape sources into a store, newest first, counting what happened."""

    def __init__(
        self,
        store: Store,
        settings: RunSettings,
        reporter: Reporter,
        *,
        parsers: Parsers | None = None,
        stop: threading.Event | None = None,
    ):
        """`parsers`: shared with other runs (and closed by the caller); `stop`: set by another
        thread to end this run at its next article."""
        self.store = store
        self.settings = settings
        self.reporter = reporter
        self.counts = Counts()
        self.ledger = Ledger()  # the last source's, beyond its counts (see scrape)
        self._seen: set[str] = set()
        self._verdicts: dict[str, Verdict] = {}  # url_key -> how its article ended, this run
        self._listings: set[str] = set()  # url_keys of the listing pages, feeds and sitemaps read
        self._shared: set[str] = set()  # url_keys of canonicals found claimed by different stories
        self._texts: dict[str, _Stored] = {}  # same_text -> the first article stored with that text
        self._listed: dict[str, datetime] = {}  # url_key -> the date discovery gave (see dating.py)
        self._dating = Dating(settings.window, None)
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="fetch")
        self._own_parsers = parsers is None
        self.parsers = parsers if parsers is not None else Parsers(settings.processes, note=reporter.note)
        self.stop = stop

    def close(self, *, wait: bool = True) -> None:
        """Without `wait` (the run was interrupted), fetches still in flight are not waited for."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if self._own_parsers:
            self.parsers.close()

    @property
    def limit_reached(self) -> bool:
        limit = self.settings.limit
        return limit is not None and (self.counts.new + self.counts.updated) >= limit

    # -- one source -----------------------------------------------------------------------
    def scrape(self, target: Target) -> None:
        """Everything of one source this run can do. A source whose robots.txt cannot be read
        fails once, in one line, and is left as it was (its frontier and failures stay for the
        next run). Its ledger (requests, bytes, the method, pages that were no articles, the
        stored articles' fields) is `self.ledger` afterwards."""
        self._dating = Dating(self.settings.window, target.zone, target.settings.undated)
        self.ledger = Ledger()
        target = replace(target, fetcher=Metered(target.fetcher, self.ledger))
        try:
            self._scrape(target)
        except _SourceDown as down:
            self.counts.failed += 1
            self.ledger.error = down.error.summary
            self.reporter.problem(down.error.summary)
        for line in self._dating.notes(target.source):
            self.reporter.note(line)

    # -- pages from a web archive (import): parsed and stored as a scrape's are ----------------
    def begin(self, target: Target) -> None:
        """Pages of `target` are to be handed in (parse, keep) instead of fetched."""
        self._dating = Dating(self.settings.window, target.zone, target.settings.undated)

    def parse(self, target: Target, page: Page) -> Result:
        """A page parsed (and packed for the archive) as a fetched one is; safe on any thread."""
        return self._parse(target, page, pack=True)

    def parse_many(self, target: Target, pages: list[Page]) -> list[Result]:
        """parse for each page, the pages sent to a parser process together; safe on any thread."""
        outcomes = self.parsers.parse_many(
            pages, self.store.pack_page, timezone=target.zone, source=target.settings.archive_as,
            selectors=target.settings.selectors,
        )  # fmt: skip
        return [
            Parsed(page, *outcome) if isinstance(outcome, tuple) else _parse_failure(page, outcome)
            for page, outcome in zip(pages, outcomes, strict=True)
        ]

    def keep(self, target: Target, result: Parsed) -> str:
        """Store a parsed page through the scrape's own store step (window, ownership, collisions,
        dedup, revisions); what it counted as ("new", "updated", "unchanged", "skipped", "failed")."""
        before = replace(self.counts)
        self._store_result(target, Mode.BACKFILL, result.page.final_url if result.page else result.article.url, result)
        changed = [name for name, value in self.counts.as_dict().items() if value != getattr(before, name)]
        return changed[0] if changed else "unchanged"

    def end(self, target: Target) -> None:
        """The notes on what the window and --undated left out, and forget what this run kept of
        each article (a long import keeps nothing per article: constant memory)."""
        for line in self._dating.notes(target.source):
            self.reporter.note(line)
        self.forget()

    def forget(self) -> None:
        """Forget the URLs and texts seen so far (what spots a page served in place of every article
        is kept within stretches of a long import, not across the whole of it)."""
        self._seen.clear()
        self._verdicts.clear()
        self._texts.clear()
        self._listed.clear()

    def _scrape(self, target: Target) -> None:
        mode = self._mode(target)
        self._resume(target, mode)
        if self.limit_reached:
            return
        cursor = self.store.listing_cursor(target.source)
        page = self._start_page(target)
        if page is None and self.ledger.error is None:
            self.ledger.error = f"{target.start_url}: robots.txt refuses the start page"
        if page is not None:
            kind = guess_kind(page.content, page.headers.get("content-type"))
            if page.status == 200 and kind == "html" and not target.single_page:
                self._check_start(target, page)
            if page.status == 304:
                self.reporter.note(f"{page.requested_url}: not modified since the last run")
            elif target.single_page and kind != "feed":
                self._single(target, page, mode)
            elif kind == "html" and self._one_article(target, page, mode):
                pass
            else:
                context = _Context(self, target, mode, cursor)
                if kind == "feed":  # the target is a feed: read it as a listing page is read
                    self.ledger.method = "feed"
                    self._drive(target, mode, ListingWalk().pages(context, page))
                else:
                    self._discover(target, page, mode, context)
                context.keep_validators(page)
        self._retry_failures(target, mode)

    def _mode(self, target: Target) -> Mode:
        if not self.settings.incremental:
            return Mode.BACKFILL
        return Mode.INCREMENTAL if self.store.has_run(target.text) else Mode.FIRST

    def _start_page(self, target: Target) -> Page | None:
        """The target's first page; on a cron run, a conditional GET with the last run's validators."""
        headers = {}
        if not target.single_page and self.settings.incremental:
            validators = self.store.validators(target.start_url)
            headers = validators.headers() if validators else {}
        return self._fetch_listing_or_fail(target, target.start_url, headers)

    def _check_start(self, target: Target, page: Page) -> None:
        """A start page that is a bot check has nothing to walk: said, and kept in the ledger."""
        served = listing_served_instead(page.text, page.final_url)
        if served is not None:
            self.ledger.served_instead(served)
            self.reporter.note(f"{target.source}: the start page {page.final_url} is a {served.replace('_', ' ')} page")

    def _one_article(self, target: Target, page: Page, mode: Mode) -> bool:
        """Whether the start page, which is no site's home page, is one article (and stored as
        such); a page that says it is one (og:type, JSON-LD) but reads as a listing is walked."""
        if url_key(page.final_url) == url_key(origin_of(page.final_url)) or not looks_like_article(page.text):
            return False
        result = self._parse(target, page)
        if isinstance(result, NotAnArticle):
            self.reporter.detail(f"{page.final_url}: not one article ({result.reason}); walked as a listing page")
            return False
        self._single(target, page, mode, result)
        return True

    def _single(self, target: Target, page: Page, mode: Mode, result: Result | None = None) -> None:
        self._seen.add(url_key(page.final_url))
        self.counts.discovered += 1
        self.ledger.method = "page"
        self._store_result(target, mode, page.final_url, result if result is not None else self._parse(target, page))

    def _discover(self, target: Target, home: Page, mode: Mode, context: _Context) -> None:
        for choice in choose(target.settings.discovery, home, mode):
            self.reporter.detail(f"{target.source}: discovery via {choice.walk.name} ({choice.why})")
            try:
                self.ledger.method = choice.walk.name
                self._drive(target, mode, choice.walk.walk(context, home))
                return
            except NotHere as why:
                self.reporter.detail(f"{target.source}: {choice.walk.name} is not available here ({why}); "
                                     "trying the next method")  # fmt: skip
        self.ledger.method = None  # no method could read the site

    # -- driving a walk -------------------------------------------------------------------
    def _drive(self, target: Target, mode: Mode, batches: Iterator[Batch]) -> None:
        """Triage, fetch and store each batch the walk yields, and tell it (batch.ended) whether
        to go on. A listing page whose links say the walk goes on (new articles, none past
        --since) has its next page read while its articles are fetched, and the next page's
        articles join the queue before this page's are stored, so the request slots never drain
        between pages; otherwise a page is finished before the walk moves on."""
        waiting: _Planned | None = None
        for batch in batches:
            planned = self._plan(target, mode, batch)
            if batch.cursor and batch.next_url is not None:
                # This page's articles are in the frontier now, so an interrupted run finishes them
                # first, then resumes the walk at the next page, not at one it has all archived.
                self._set_cursor(target, batch.next_url)
            if self._read_ahead(target, planned):
                batch.ahead = self._pool.submit(self._fetch_quietly, target, batch.next_url or "")
            self._start(target, planned)
            if waiting is not None:
                ended = self._conclude(target, mode, waiting)
                waiting = None
                if ended is not None:
                    self._finish(target, mode, planned)  # already on its way: keep what comes
                    batch.ended = ended
                    continue
            if batch.ahead is not None:
                waiting = planned  # the walk goes on to the page it is reading ahead
                continue
            self._conclude(target, mode, planned)
        if waiting is not None:
            self._conclude(target, mode, waiting)

    def _plan(self, target: Target, mode: Mode, batch: Batch) -> _Planned:
        """Triage a batch (on this thread: the archive is read here) and put the pages to fetch in
        the frontier, so an interrupted run picks them up."""
        candidates = self._wanted(target, batch.candidates)
        go_on = batch.go_on or any(self._verdicts.get(url_key(c.url)) is Verdict.GO_ON for c in candidates)
        ready: list[tuple[str, Parsed]] = []
        todo: list[Candidate] = []
        for candidate in self._fresh(candidates):
            self.counts.discovered += 1
            verdict = self._triage(target, mode, candidate)
            if verdict is Verdict.FETCH:
                parsed = self._record(target, candidate)
                if parsed is not None:
                    ready.append((candidate.url, parsed))
                else:
                    todo.append(candidate)
                    if candidate.published is not None:
                        self._listed[url_key(candidate.url)] = candidate.published
            go_on = go_on or verdict is Verdict.GO_ON
        self.store.frontier_add(target.source, [(c.url, c.published) for c in todo if self._resumable(target, c)])
        return _Planned(batch, ready, [c.url for c in todo], go_on)

    def _resumable(self, target: Target, candidate: Candidate) -> bool:
        """Whether an interrupted run leaves the candidate to the next run (the frontier): always,
        but on a backfill of a window only one dated inside it. A URL that must be downloaded to
        learn its date is the window's cost, not the next cron run's."""
        return self.settings.window.contains(candidate.published or candidate.lastmod, target.zone)

    def _record(self, target: Target, candidate: Candidate) -> Parsed | None:
        """The record discovery's data gives (the REST API), or None: fetch the page."""
        if candidate.record is None:
            return None
        try:
            article = candidate.record()
        except ParseError:
            return None
        source = target.settings.archive_as
        return Parsed(None, replace(article, source=source) if source else article)

    def _read_ahead(self, target: Target, planned: _Planned) -> bool:
        """Whether to ask for the next listing page before this one's articles are in: its links
        say the walk goes on (something new, nothing past --since), and no --limit is near."""
        batch = planned.batch
        if batch.next_url is None or self.settings.limit is not None:
            return False
        if any(self.settings.window.is_older(c.published, target.zone) for c in batch.candidates):
            return False
        return planned.go_on or bool(planned.urls)

    def _start(self, target: Target, planned: _Planned) -> None:
        fetched = self._fetch_all(target, planned.urls)
        planned.results = _chain(self._ready(planned.ready), fetched)

    def _ready(self, ready: list[tuple[str, Parsed]]) -> Iterator[tuple[str, Result]]:
        for item in ready:
            if self.limit_reached:
                return
            yield item

    def _conclude(self, target: Target, mode: Mode, planned: _Planned) -> Ended | None:
        """Store a batch's articles; None to go on past it, else why the walk ends there."""
        go_on = self._finish(target, mode, planned)
        batch = planned.batch
        ended: Ended | None = None
        if self.limit_reached:
            ended = Ended.LIMIT
        elif not go_on:
            ended = Ended.KNOWN if mode is Mode.INCREMENTAL else Ended.END
        elif batch.cursor and batch.next_url is None:
            ended = Ended.END
        if batch.cursor and ended in (Ended.KNOWN, Ended.END):
            self._set_cursor(target, None)
        batch.ended = ended
        return ended

    def _finish(self, target: Target, mode: Mode, planned: _Planned) -> bool:
        """Store the batch's articles as they are finished. Returns whether to go on."""
        go_on = planned.go_on
        for url, result in planned.results:
            if isinstance(result, Parsed) and result.article.published is not None:
                planned.batch.dates.append(result.article.published)
            go_on = self._store_result(target, mode, url, result) is Verdict.GO_ON or go_on
        return go_on

    def _set_cursor(self, target: Target, url: str | None) -> None:
        if self.settings.incremental:  # a windowed run resumes by running it again
            self.store.set_listing_cursor(target.source, url)

    def _wanted(self, target: Target, candidates: Iterable[Candidate]) -> list[Candidate]:
        """Candidates on the target's own site that its include/exclude patterns let through. A
        feed, sitemap or API pointing elsewhere (another host, a mirror's original) is not followed."""
        kept = []
        for candidate in candidates:
            if not same_site(candidate.url, target.start_url):
                self.counts.skipped += 1
                self.reporter.detail(f"skipped {candidate.url}: not on {site_host(target.start_url)}")
            elif target.settings.wants(candidate.url):
                kept.append(candidate)
        return kept

    def _fresh(self, candidates: Iterable[Candidate]) -> Iterator[Candidate]:
        for candidate in candidates:
            key = url_key(candidate.url)
            if key not in self._seen:
                self._seen.add(key)
                yield candidate

    def _triage(self, target: Target, mode: Mode, candidate: Candidate) -> Verdict:
        """What to do with a candidate before fetching it, on the source's calendar."""
        lookup = (lambda url: None) if self.settings.refetch else self.store.lookup_url
        verdict, counted = triage(candidate, lookup, self.settings.window, target.zone, mode is Mode.INCREMENTAL)
        if counted is not None:
            self.counts.add(counted)
        return verdict

    # -- fetching and parsing, in the pool -------------------------------------------------
    def _fetch_all(self, target: Target, urls: list[str]) -> Iterator[tuple[str, Result]]:
        """Fetch and parse in the pool; results come back as they are finished, not in link order,
        so one page that never finishes holds up no other. All are handed to the pool at once,
        before this returns; with --limit, a chunk at a time (lazily) so the limit is not
        overshot by much."""
        if self.settings.limit is not None:
            return self._fetch_chunks(target, urls)
        self.parsers.expect(len(urls))
        return _as_finished({self._pool.submit(self._fetch_and_parse, target, url): url for url in urls})

    def _fetch_chunks(self, target: Target, urls: list[str]) -> Iterator[tuple[str, Result]]:
        index = 0
        while index < len(urls) and not self.limit_reached:
            room = min(self.settings.workers * 2, (self.settings.limit or 0) - self.counts.new - self.counts.updated)
            chunk = urls[index : index + max(1, room)]
            index += len(chunk)
            self.parsers.expect(len(chunk))
            yield from _as_finished({self._pool.submit(self._fetch_and_parse, target, url): url for url in chunk})

    def _fetch_and_parse(self, target: Target, url: str) -> Result:
        try:
            page = target.fetcher.fetch(url)
        except FetchError as error:
            return error
        return self._parse(target, page, pack=True)

    def _parse(self, target: Target, page: Page, *, pack: bool = False) -> Result:
        """Parse (in a parser process on a big run) and, with `pack`, compress the page for the
        archive there too: neither on the thread that stores."""
        try:
            then = self.store.pack_page if pack else None
            article, packed = self.parsers.parse_then(
                page, then, timezone=target.zone, source=target.settings.archive_as, selectors=target.settings.selectors
            )
            return Parsed(page, article, packed)
        except Exception as error:
            return _parse_failure(page, error)

    @staticmethod
    def _fetch_quietly(target: Target, url: str, headers: Mapping[str, str] | None = None) -> Page | FetchError:
        """The page, or the error, to report on the calling thread (safe to run in the pool)."""
        try:
            return target.fetcher.fetch(url, headers or None)
        except FetchError as error:
            return error

    def _listing_result(self, target: Target, url: str, result: Page | FetchError) -> Page | None:
        if isinstance(result, RobotsUnavailable):
            raise _SourceDown(result)
        if isinstance(result, RobotsDisallowed):
            self._robots(result)
            return None
        if isinstance(result, FetchError):
            self._fail(target, url, str(result), article=False)
            if url == target.start_url:
                self.ledger.error = str(result)
            return None
        self.store.clear_failure(url)
        self._listings.update((url_key(url), url_key(result.final_url)))
        return result

    def _fetch_listing_or_fail(self, target: Target, url: str, headers: Mapping[str, str] | None = None) -> Page | None:
        return self._listing_result(target, url, self._fetch_quietly(target, url, headers))

    def _quiet_fetch(
        self, target: Target, url: str, headers: Mapping[str, str] | None = None, *, beyond: bool = False
    ) -> Page | None:
        """A page that may well not exist (a sitemap guess, robots.txt): no error if it does not.
        Never a page off the target's site, but for a published API's (`beyond`). A 304 comes back
        only to a conditional request."""
        if not beyond and not same_site(url, target.start_url):
            return None
        try:
            page = target.fetcher.fetch(url, headers or None)
        except RobotsUnavailable as error:
            raise _SourceDown(error) from None
        except FetchError:
            return None
        if page.status == 200 or (page.status == 304 and headers):
            self._listings.update((url_key(url), url_key(page.final_url)))
            return page
        return None

    # -- results, on the calling thread ---------------------------------------------------
    def _store_result(self, target: Target, mode: Mode, url: str, result: Result) -> Verdict:
        if self.stop is not None and self.stop.is_set():
            raise Stopped
        verdict = self._store(target, mode, url, result)  # an interrupted save leaves the URL in the frontier
        self._verdicts[url_key(url)] = verdict
        self.store.frontier_done(url)
        self.reporter.progress(self.counts)
        return verdict

    def _store(self, target: Target, mode: Mode, url: str, result: Result) -> Verdict:
        if isinstance(result, RobotsUnavailable):
            raise _SourceDown(result)
        if isinstance(result, RobotsDisallowed):
            self._robots(result)
            return Verdict.GO_ON
        if isinstance(result, NotAnArticle):
            self.counts.skipped += 1
            self.reporter.note(f"skipped {result}")
            return Verdict.GO_ON
        if isinstance(result, ScraperError):
            if isinstance(result, ServedInstead):
                self.ledger.served_instead(result.kind)
            self._fail(target, url, str(result))
            return Verdict.GO_ON
        page, article, packed = result
        skip = self._dating.verdict(article, self._listed.get(url_key(url)))
        if skip is not None:
            self.counts.skipped += 1
            return skip
        served = page.final_url if page is not None else url
        article = owned(article, served, source=target.settings.archive_as, listings=self._listings)
        placed = self._place(article, served)
        if isinstance(placed, str):  # a failure of this run; the URL is archived, a --refetch tries it again
            self.counts.failed += 1
            self.reporter.problem(f"{served}: the archived article is kept: {placed}")
            return Verdict.GO_ON
        article, keep, revise = placed
        text = same_text(article) if len(article.body) < SAME_TEXT_UNDER else ""  # (short texts only)
        if self._served_everywhere(target, url, served, article, text):
            return Verdict.GO_ON
        urls = [url, page.requested_url, page.final_url] if page is not None else [url]
        zone_name = target.zone.key if target.zone is not None else None
        outcome = str(
            self.store.save(
                article, urls, page=page, timezone=zone_name, packed=packed, done=url, keep=keep, revise=revise
            )
        )
        self.counts.add(outcome)
        if outcome != "unchanged":
            self.ledger.article(article)
        self._dating.stored(article, outcome)
        if text:
            self._texts.setdefault(
                text, _Stored(url, served, article.source, article.number, article.title, outcome)
            )
        return Verdict.KNOWN if outcome == "unchanged" and mode is Mode.INCREMENTAL else Verdict.GO_ON

    def _served_everywhere(self, target: Target, url: str, served: str, article: Article, text: str) -> bool:
        """Whether the page holds the very text another article of this run was stored with, under
        another title and number: a wall or an error page the site serves in place of every
        article. It fails (retried later), and so does the first one, taken back if it was new. No
        text at all is no one's text: a paid post with no public part is kept with an empty body
        (marked partial), and two of them are two articles. `text`: same_text(article), for a short
        text (else "")."""
        if len(article.body) >= SAME_TEXT_UNDER or not article.body.strip():
            return False
        first = self._texts.get(text)
        if first is None or first.number == article.number or first.title == article.title:
            return False
        if url_key(first.served) == url_key(served) or first.source != article.source:
            return False
        why = f"the same text as {first.served}, under another title: a page served in place of articles; will retry"
        if not first.failed:
            first.failed = True
            if first.outcome == "new":
                self.store.forget(first.source, first.number)
                self.counts.new -= 1
                self.ledger.served_instead("wall")
                self._fail(target, first.url, f"{first.served}: {why}")
        self.ledger.served_instead("wall")
        self._fail(target, url, f"{served}: {why}")
        return True

    def _place(self, article: Article, served: str) -> tuple[Article, bool, bool] | str:
        """Where the article goes, whether the archived version stays (a print or mobile view of
        it) and whether a change is an edit (a revision; not for clocks only); or why it may not
        replace the archived one. A number that already names another story is a collision: both
        are kept, the newcomer under a derived number, and it is said in one line."""
        for _ in range(COLLISIONS):
            found = self.store.find(article.number, article.source)
            if not found:
                return article, False, True
            old = found[0]
            if not same_story(old, article, served):
                newcomer = renumbered(old, article, served)
                if self.store.find(newcomer.number, newcomer.source):
                    pass  # found by an earlier run
                elif url_key(article.url) == url_key(old.url):  # a canonical several pages claim: said once
                    if url_key(old.url) not in self._shared:
                        self._shared.add(url_key(old.url))
                        self.reporter.note(
                            f"{article.source}: {old.url} is the canonical URL of different stories; "
                            "each is kept under its own URL"
                        )
                else:
                    self.reporter.note(
                        f"{article.source}: number {article.number} of {served} names another story ({old.url}); "
                        f"both kept, this one as number {newcomer.number}"
                    )
                article = newcomer
                continue
            if article.extra.get("variant") and not old.extra.get("variant"):
                return article, True, False  # a print, AMP or mobile view is never a better version
            # An earlier capture (imported from a web archive) leaves the later one as it is, and
            # is kept in its history when it is another version (an edit); but the main view
            # replaces a print view stored first, whenever each was fetched (pages of one run
            # finish in any order).
            replaces_variant = bool(old.extra.get("variant")) and not article.extra.get("variant")
            if not replaces_variant and _earlier(article.fetched_at, old.fetched_at):
                return article, True, real_edit(article, old)
            why = refused(old, article)
            if why is not None:
                return why
            return article, False, real_edit(old, article)
        return f"its number collides with {COLLISIONS} other stories"

    # -- earlier runs' leftovers ----------------------------------------------------------
    def _resume(self, target: Target, mode: Mode) -> None:
        """Articles an interrupted run had discovered but not finished come first."""
        pending = [url for url in self.store.frontier_pending(target.source) if url_key(url) not in self._seen]
        if pending:
            self.reporter.note(f"{target.source}: resuming {len(pending)} articles from an interrupted run")
            self._fetch_urls(target, mode, pending)

    def _retry_failures(self, target: Target, mode: Mode) -> None:
        """URLs that failed in earlier runs are tried again, after the new ones."""
        urls = [url for url in self.store.failed_urls(target.source) if url_key(url) not in self._seen]
        self._fetch_urls(target, mode, urls)

    def _fetch_urls(self, target: Target, mode: Mode, urls: list[str]) -> None:
        for url in urls:
            self._seen.add(url_key(url))
        self.counts.discovered += len(urls)
        for url, result in self._fetch_all(target, urls):
            self._store_result(target, mode, url, result)

    def _robots(self, error: RobotsDisallowed) -> None:
        self.counts.skipped += 1
        self.reporter.detail(f"skipped {error}")

    def _fail(self, target: Target, url: str, message: str, *, article: bool = True) -> None:
        """Report a failure and record it. Articles are retried by the next run; a listing page or
        feed is recorded as such (the next run walks it again anyway)."""
        self.counts.failed += 1
        self.reporter.problem(message)
        self.store.record_failure(url, target.source, message, "article" if article else "listing")


def triage(
    candidate: Candidate,
    lookup: Callable[[str], KnownArticle | None],
    window: Window,
    zone: tzinfo | None,
    incremental: bool,
) -> tuple[Verdict, Tally | None]:
    """What to do with a candidate article before fetching it, on the calendar of `zone`: FETCH
    it, or why not: OLDER than --since, after --until (GO_ON), archived and unchanged (KNOWN on a
    cron run, GO_ON on a backfill). With the Counts field it counts as ("skipped", "unchanged" or
    None). `lookup(url)` is what the archive has for the URL (None: not archived)."""
    if window.is_older(candidate.published or candidate.lastmod, zone):  # a lastmod is never before publication
        return Verdict.OLDER, "skipped"
    if window.is_newer(candidate.published, zone):
        return Verdict.GO_ON, "skipped"
    known = lookup(candidate.url)
    if known is None or changed_since(known, candidate.lastmod):
        return Verdict.FETCH, None
    published = datetime.fromisoformat(known.published) if known.published else None
    if window.is_older(published, zone):
        return Verdict.OLDER, "unchanged"
    return (Verdict.KNOWN if incremental else Verdict.GO_ON), "unchanged"


def changed_since(known: KnownArticle, lastmod: datetime | None) -> bool:
    """Whether a sitemap's or the API's last-modified time says an archived article changed."""
    stamp = known.modified or known.published
    if lastmod is None or not stamp:
        return False
    archived = datetime.fromisoformat(stamp)
    if lastmod.tzinfo is None or archived.tzinfo is None:
        return lastmod.replace(tzinfo=None) > archived.replace(tzinfo=None)
    return lastmod > archived


@dataclass
class _Stored:
    """An article stored this run, kept to tell a wall served at every URL from articles."""

    url: str
    served: str
    source: str
    number: int | str
    title: str
    outcome: str
    failed: bool = False


def _earlier(newcomer: datetime | None, archived: datetime | None) -> bool:
    """Whether a page was fetched before the archived version was (only a web archive's old
    capture can be)."""
    if newcomer is None or archived is None or (newcomer.tzinfo is None) != (archived.tzinfo is None):
        return False
    return newcomer < archived


def _as_finished(futures: dict[Future[Result], str]) -> Iterator[tuple[str, Result]]:
    """Each URL with its result, in the order they finish."""
    for future in as_completed(futures):
        yield futures[future], future.result()


def _chain(*parts: Iterable[tuple[str, Result]]) -> Iterator[tuple[str, Result]]:
    for part in parts:
        yield from part


class _Context:
    """What the walks of one source may ask of the run (walks.base.WalkContext)."""

    def __init__(self, run: Run, target: Target, mode: Mode, cursor: str | None):
        self._run = run
        self._target = target
        self.mode = mode
        self.cursor = cursor
        self.name = target.source
        self.start_url = target.start_url
        self.window = run.settings.window
        self.zone = target.zone
        self.limited = run.settings.limit is not None
        self.max_pages = run.settings.max_pages
        self.keeps_validators = run.settings.incremental
        self._apis: list[PublishedApi] = []  # published APIs cleared for this source

    @property
    def limit_reached(self) -> bool:
        return self._run.limit_reached

    def last_success(self) -> datetime | None:
        return self._run.store.last_success(self._target.text)

    def on_site(self, url: str) -> bool:
        return same_site(url, self.start_url)

    def publish(self, api: PublishedApi) -> Clearance:
        """Whether the walk may read an API the site publishes (the fetch stack decides: robots.txt
        and the source's published_apis); a rule set aside for it is said on -v (a refusal is the
        walk's to say). A cleared one may be read off the site."""
        clearance = self._target.fetcher.publish(api)
        if clearance.open:
            if clearance.why:
                self.detail(f"{self.name}: {clearance.why}")
            self._apis.append(api)
        return clearance

    def page(self, url: str, *, conditional: bool = False, quiet: bool = False) -> Page | None:
        """A listing, feed, sitemap or API page (its failure recorded, unless `quiet`); with
        `conditional`, on a cron run, asked for with the validators kept from the last run, so
        an unchanged one is a 304."""
        headers: dict[str, str] = {}
        if conditional and self.keeps_validators:
            validators = self._run.store.validators(url)
            headers = validators.headers() if validators else {}
        if quiet:
            beyond = any(api.within(url) for api in self._apis)
            return self._run._quiet_fetch(self._target, url, headers, beyond=beyond)
        return self._run._fetch_listing_or_fail(self._target, url, headers)

    def prefetch(self, url: str) -> Future[Page | FetchError]:
        return self._run._pool.submit(self._run._fetch_quietly, self._target, url)

    def result(self, url: str, future: Future[Page | FetchError]) -> Page | None:
        return self._run._listing_result(self._target, url, future.result())

    def next_page(self, batch: Batch) -> Page | None:
        if batch.next_url is None:
            return None
        if batch.ahead is not None:
            return self.result(batch.next_url, batch.ahead)
        return self.page(batch.next_url)

    def keep_validators(self, page: Page) -> None:
        """Keep a walked page's ETag/Last-Modified for the next cron run (not after --limit, which
        may have left part of what the page covers unwalked)."""
        if page.status == 200 and self.keeps_validators and not self.limit_reached:
            self._run.store.remember_validators(page)

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        return self._target.fetcher.sitemaps_for(origin)

    def fail(self, url: str, message: str) -> None:
        self._run._fail(self._target, url, message, article=False)

    def note(self, message: str) -> None:
        self._run.reporter.note(message)

    def detail(self, message: str) -> None:
        self._run.reporter.detail(message)

    def cap(self, message: str) -> None:
        self._run.reporter.cap(message)


def _parse_failure(page: Page, error: Exception) -> ParseError:
    """What parsing a page raised, as its result: a ParseError as it is, a parser bug as a failure
    of this page alone (never of the whole run)."""
    if isinstance(error, ParseError):
        return error
    name = error.name if isinstance(error, ParserCrash) else type(error).__name__
    return ParseError(page.final_url, f"the parser crashed ({name}: {error}); please report it")
