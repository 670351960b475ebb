#!/usr/bin/env python3
"""WordPress check against a real WordPress 6.1 on 127.0.0.1: the first run on an empty archive,
a no-change run, a run after one new and one edited post, each `scraper --db X scrape URL` at the
default politeness (delay 1 s, concurrency 2) in a subprocess, requests counted at the server
(Apache's access log, scraper's User-Agent only); every archived record compared field by field
with the post it was made from, and a sample of post pages parsed by the HTML parser (`scraper
extract URL`) compared with the REST records.

WordPress is not a dependency. Debian's packages (wordpress 6.1.9 with its twentytwentythree theme,
MariaDB, Apache with mod_php), nothing of them committed:

    apt-get update && apt-get install -y wordpress mariadb-server php-mysql apache2 libapache2-mod-php
    service mariadb start
    mysql -e "CREATE DATABASE wordpress CHARACTER SET utf8mb4;
              CREATE USER wordpress@localhost IDENTIFIED BY 'wp-real-bench';
              GRANT ALL ON wordpress.* TO wordpress@localhost"
    python benchmarks/wp_real.py --config > /etc/wordpress/config-127.0.0.1.php
    python benchmarks/wp_real.py --apache > /etc/apache2/sites-available/wp-real.conf
    echo "Listen 127.0.0.1:8080" > /etc/apache2/ports.conf
    a2enmod rewrite && a2dissite 000-default && a2ensite wp-real && apachectl start

    python benchmarks/wp_real.py --seed     # once: install, the zone, users, terms, 580 posts (~1 min)
    python benchmarks/wp_real.py            # the check (about a minute)

Seeded through WordPress's own PHP (`php` loading wp-load.php: wp_install, wp_insert_user,
wp_create_category, wp_insert_post, wp_set_post_tags, wp_update_post), never SQL: the site in
America/St_Johns (-03:30, -02:30 in summer) with posts across both 2024 DST changes and one in the
repeated hour; 580 published posts by 4 authors, 10 categories (one child, one with "&"), 140 tags
(two pages of terms), block-editor and classic markup, headings, lists, quotes, captions, a
`<!--more-->` teaser, a hand-written excerpt on every third post, texturized titles ("It's",
"--", quotes), a sticky post, some posts edited after publication; and what must never be archived:
drafts, pending, private, password-protected and scheduled posts and published pages, each with a
SECRET marker in its text. The expected records (/var/tmp/wp-real/expected.json) are computed
from the seeded data (instants by zoneinfo; texts as WordPress's own wptexturize shows them),
never from scraper's output. The check's third run adds one post and edits one, so it can be run
again: the expectations follow (to start afresh: drop and create the database, then `--seed`).

Measured on WordPress 6.1.9 (twentytwentythree, Apache 2.4, MariaDB 10.11), 2 cores: the first run
12 requests (robots.txt, the home page, categories, 2 pages of tags, users, 6 pages of posts) and
11.8 s, all 580 records exact, nothing hidden archived; a no-change run 2 requests (the home page,
one API request) and 1.7 s; after one new post and one edited one 2 requests, new 1 and updated 1
with one revision; the window 2024-11-02..03 exact in 8 requests, the section /category/politics/
(with its child category's posts) exact in 8; 152 post pages through `scraper
extract` equal to the REST records on every field the page shows (the template shows no excerpt
and no edit time, so those `lede` and `modified` come only from the API). Before the fixes this
check led to: 14 and 3 requests (two password-protected posts fetched and retried on every run),
the edited post never updated by a cron run, pages without tags given their categories as tags,
"Tom O’Brien" on pages where the API says "Tom O'Brien", and the whole site archived from a
category page.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8080"
ZONE_NAME = "America/St_Johns"
ZONE = ZoneInfo(ZONE_NAME)
ACCESS_LOG = Path("/var/log/apache2/wp-real-access.log")
STATE = Path("/var/tmp/wp-real")
WORDPRESS = Path("/usr/share/wordpress")
DB_PASSWORD = "wp-real-bench"
POSTS = 580
SECTION = "/category/politics/"
WINDOW = ("2024-11-02", "2024-11-03")  # on the site's calendar; the repeated hour is in it
SECRET = "SECRET-NOT-FOR-ARCHIVE"
FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
          "authors", "language", "image")  # fmt: skip
PAGE_FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
               "authors", "language", "image")  # fmt: skip
UNSHOWN = ("lede", "modified")  # twentytwentythree's single template shows neither the excerpt nor the edit date
AUTHORS = (("ada", "Ada Brenner"), ("siobhan", "Siobhán Walsh"), ("tom", "Tom O'Brien"), ("mei", "Mei-Ling Zhou"))
CATEGORIES = ("Politics", "Economy", "Culture", "Sport", "Science", "Harbour & Fisheries", "Health", "Opinion",
              "Weather")  # fmt: skip
CHILD_CATEGORY = ("City Hall", "Politics")  # a child of Politics
TAGS = tuple(f"topic {n:03d}" for n in range(1, 141))
SUBJECTS = ("The city council", "A regional court", "The harbour authority", "Local fishers", "The university",
            "A new survey", "The transport ministry", "Residents of the old town")  # fmt: skip
VERBS = ("approved", "questioned", "postponed", "welcomed", "rejected", "reviewed")
OBJECTS = ("a plan for new cycle lanes", "the budget for next year", "a report on harbour water quality",
           "changes to the ferry timetable", "the rules for street markets", "a proposal for night buses")  # fmt: skip
SENTENCES = (
    "Officials said the decision followed months of consultation with neighbourhood groups.",
    "Critics argued that the figures presented at the meeting were incomplete -- and said so loudly.",
    "\"We're not done yet,\" a spokesperson said, adding that a final vote is expected before the end of the quarter.",
    "Similar measures were introduced in two neighbouring districts last year.",
    "The opposition called for an independent review of the costs involved.",
    "Local businesses have asked to be consulted before any work begins; it's their street too.",
    "The figures for 2023 show a rise of 12% over the 1990s average.",
)


# ------------------------------------------------------------------------------ setup files


def config() -> str:
    keys = "\n".join(f"define('{k}', 'wp-real-{k.lower()}-not-secret');" for k in (
        "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
        "LOGGED_IN_SALT", "NONCE_SALT"))  # fmt: skip
    return f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '{DB_PASSWORD}');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', '{BASE}');
define('WP_SITEURL', '{BASE}');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('DISABLE_WP_CRON', true);          // no loopback wp-cron.php requests in the access log
define('WP_HTTP_BLOCK_EXTERNAL', true);   // no update checks: nothing beyond 127.0.0.1
define('AUTOMATIC_UPDATER_DISABLED', true);
{keys}
$table_prefix = 'wp_';
"""


def apache() -> str:
    return f"""<VirtualHost 127.0.0.1:8080>
    ServerName 127.0.0.1
    DocumentRoot {WORDPRESS}
    DirectoryIndex index.php
    Alias /wp-content /var/lib/wordpress/wp-content
    LogFormat "%h %t \\"%r\\" %>s %b %D \\"%{{User-Agent}}i\\"" wpreal
    CustomLog {ACCESS_LOG} wpreal
    ErrorLog /var/log/apache2/wp-real-error.log
    <Directory {WORDPRESS}>
        Options FollowSymLinks
        AllowOverride None
        Require all granted
        RewriteEngine On
        RewriteBase /
        RewriteRule ^index\\.php$ - [L]
        RewriteCond %{{REQUEST_FILENAME}} !-f
        RewriteCond %{{REQUEST_FILENAME}} !-d
        RewriteRule . /index.php [L]
    </Directory>
    <Directory /var/lib/wordpress/wp-content>
        Options FollowSymLinks
        Require all granted
    </Directory>
</VirtualHost>
"""


# ------------------------------------------------------------------------------ the PHP side

PHP = r"""<?php
// Reads a JSON job on stdin, does it through WordPress's own API, prints JSON on stdout.
$_SERVER['HTTP_HOST'] = '127.0.0.1:8080';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
$job = json_decode(stream_get_contents(STDIN), true);

function shown($text) {  // a text as the page shows it: escaped, texturized, entities decoded
    return html_entity_decode(wptexturize(htmlspecialchars($text, ENT_NOQUOTES)), ENT_QUOTES | ENT_HTML5, 'UTF-8');
}
function shown_post($id) {
    $post = get_post($id);
    return array('id' => $post->ID, 'modified' => $post->post_modified, 'modified_gmt' => $post->post_modified_gmt,
                 'date' => $post->post_date, 'date_gmt' => $post->post_date_gmt, 'link' => get_permalink($post));
}
function insert($spec, $users, $cats) {
    $data = array('post_title' => $spec['title'], 'post_content' => $spec['content'],
                  'post_excerpt' => $spec['excerpt'], 'post_status' => $spec['status'],
                  'post_type' => $spec['type'], 'post_name' => $spec['slug'],
                  'post_author' => $users[$spec['author']], 'post_date' => $spec['date']);
    if ($spec['password'] !== '') $data['post_password'] = $spec['password'];
    if ($spec['type'] === 'post') {
        $data['post_category'] = array_map(function ($n) use ($cats) { return $cats[$n]; }, $spec['categories']);
    }
    $id = wp_insert_post(wp_slash($data), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    if ($spec['tags']) wp_set_post_tags($id, $spec['tags']);
    if ($spec['sticky']) stick_post($id);
    return $id;
}
function ids() {
    $users = array();
    foreach (get_users(array('role__in' => array('author', 'administrator'))) as $u) $users[$u->user_login] = $u->ID;
    $cats = array();
    foreach (get_categories(array('hide_empty' => false)) as $c) $cats[html_entity_decode($c->name)] = $c->term_id;
    return array($users, $cats);
}

$out = array();
if ($job['do'] === 'seed') {
    if (!is_blog_installed()) {
        wp_install($job['site'], 'admin', 'admin@example.invalid', true, '', 'Wp-Real-Admin-2024!x');
    }
    if (get_posts(array('post_type' => 'post', 'post_status' => 'any', 'name' => 'hello-world'))) {
        wp_delete_post(1, true);  // the post every install starts with; the sample page stays (never archived)
    }
    if (get_posts(array('post_type' => 'post', 'post_status' => 'any', 'numberposts' => 1))) {
        fwrite(STDERR, "the site has posts already: drop and create the database to seed again\n");
        exit(1);
    }
    update_option('timezone_string', $job['zone']);
    update_option('permalink_structure', '/%year%/%monthnum%/%day%/%postname%/');
    update_option('posts_per_page', 10);
    update_option('default_pingback_flag', 0);
    update_option('blogdescription', 'News from the harbour');
    switch_theme('twentytwentythree');
    flush_rewrite_rules(false);
    foreach ($job['authors'] as $a) {
        if (!username_exists($a[0])) {
            wp_insert_user(array('user_login' => $a[0], 'display_name' => $a[1], 'nickname' => $a[1],
                                 'user_email' => $a[0] . '@example.invalid', 'role' => 'author',
                                 'user_pass' => wp_generate_password(24)));
        }
    }
    foreach ($job['categories'] as $c) wp_create_category($c);
    wp_create_category($job['child'][0], get_cat_ID($job['child'][1]));
    list($users, $cats) = ids();
    wp_defer_term_counting(true);
    foreach ($job['posts'] as $spec) {
        $id = insert($spec, $users, $cats);
        $out[] = array('key' => $spec['key'], 'post' => shown_post($id));
    }
    wp_defer_term_counting(false);
    foreach ($job['edits'] as $edit) {  // edited after publication: WordPress sets modified to now
        $post = $out[$edit['index']]['post'];
        wp_update_post(wp_slash(array('ID' => $post['id'], 'post_content' => $edit['content'])));
        $out[$edit['index']]['post'] = shown_post($post['id']);
    }
} elseif ($job['do'] === 'change') {
    list($users, $cats) = ids();
    $id = insert($job['new'], $users, $cats);
    $out['new'] = shown_post($id);
    wp_update_post(wp_slash(array('ID' => $job['edit']['id'], 'post_title' => $job['edit']['title'],
                                  'post_content' => $job['edit']['content'])));
    $out['edited'] = shown_post($job['edit']['id']);
}
$shown = array();
foreach ($job['texts'] as $t) $shown[$t] = shown($t);
$out = array('result' => $out, 'shown' => $shown, 'version' => get_bloginfo('version'));
echo json_encode($out);
"""


def php(job: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as script:
        script.write(PHP)
    done = subprocess.run(["php", script.name], input=json.dumps(job), capture_output=True, text=True, check=False)
    Path(script.name).unlink()
    if done.returncode != 0:
        raise SystemExit(f"php failed ({done.returncode}):\n{done.stderr}\n{done.stdout[:2000]}")
    return json.loads(done.stdout[done.stdout.index("{") :])


# ------------------------------------------------------------------------------ the posts


def _paragraphs(rng: random.Random, i: int, subject: str, verb: str, thing: str, when: datetime) -> list[list[str]]:
    """The body as (kind, text) pairs: p, h2, li, quote, caption (captions are not body text)."""
    body = [["p", f"{subject} {verb} {thing} on {when:%A}, the {i + 1}th item in this series."]]
    for k in range(2 + i % 4):
        if k == 1 and i % 3 == 0:  # a subheading, then its paragraph
            body.append(["h2", f"What happens next for item {i + 1}"])
        body.append(["p", SENTENCES[(i + k) % len(SENTENCES)]])
        if k == 1 and i % 7 == 0:
            body += [["li", "First, the consultation closes."], ["li", "Then the council votes."]]
        if k == 2 and i % 5 == 0:
            body.append(["quote", f"It's the right call for the harbour, said a resident (item {i + 1})."])
        if k == 0 and i % 11 == 0:
            body.append(["caption", f"The harbour at dawn (photo {i + 1})"])
    return body


def _html(body: list[list[str]], blocks: bool, more: bool) -> str:
    import html

    parts = []
    for n, (kind, text) in enumerate(body):
        t = html.escape(text, quote=False)
        if kind == "p":
            parts.append(f"<!-- wp:paragraph -->\n<p>{t}</p>\n<!-- /wp:paragraph -->" if blocks else t)
        elif kind == "h2":
            parts.append(f'<!-- wp:heading -->\n<h2 class="wp-block-heading">{t}</h2>\n<!-- /wp:heading -->'
                         if blocks else f"<h2>{t}</h2>")  # fmt: skip
        elif kind == "li":
            if n and body[n - 1][0] == "li":
                continue
            items = [html.escape(x, quote=False) for k2, x in body[n:] if k2 == "li"][:2]
            inner = "".join(f"<li>{x}</li>" for x in items)
            parts.append(f"<!-- wp:list -->\n<ul>{inner}</ul>\n<!-- /wp:list -->" if blocks else f"<ul>{inner}</ul>")
        elif kind == "quote":
            parts.append(f'<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>{t}</p>\n'
                         "<!-- /wp:paragraph --></blockquote>\n<!-- /wp:quote -->" if blocks
                         else f"<blockquote>{t}</blockquote>")  # fmt: skip
        elif kind == "caption":
            img = '<img src="/wp-content/uploads/harbour.jpg" alt="" width="640" height="400" />'
            parts.append(f'<!-- wp:image -->\n<figure class="wp-block-image">{img}<figcaption>{t}</figcaption>'
                         "</figure>\n<!-- /wp:image -->" if blocks
                         else f'[caption width="640" align="aligncenter"]{img} {t}[/caption]')  # fmt: skip
        if more and n == 0:
            parts.append("<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->" if blocks else "<!--more-->")
    return "\n\n".join(parts)


def build() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The posts to seed (published ones first, newest last) and the edits made after them."""
    rng = random.Random(12)
    start = datetime(2024, 1, 6, 8, 15, tzinfo=ZONE)
    specs = []
    for i in range(POSTS):
        when = (start.astimezone(ZoneInfo("UTC")) + i * timedelta(hours=13, minutes=7)).astimezone(ZONE)
        if i == 520:  # in the repeated hour at the end of DST (2024-11-03 01:00-02:00 local happens twice)
            when = datetime(2024, 11, 3, 1, 30, tzinfo=ZONE)
        subject, verb, thing = SUBJECTS[i % len(SUBJECTS)], VERBS[i % len(VERBS)], OBJECTS[(i // 3) % len(OBJECTS)]
        title = f"{subject} {verb} {thing} ({i + 1})"
        if i % 9 == 0:
            title = f"It's official -- {subject.lower()} {verb} \"{thing}\" ({i + 1})"
        body = _paragraphs(rng, i, subject, verb, thing, when)
        excerpt = f"What {subject.lower()} decided, and why it matters & what's next ({i + 1})." if i % 3 == 0 else ""
        categories = [CATEGORIES[i % len(CATEGORIES)]]
        if i % 4 == 1:
            categories.append(CATEGORIES[(i + 4) % len(CATEGORIES)])
        if i % 13 == 2:  # the child category, alone or with its parent
            categories = [CHILD_CATEGORY[0]] if i % 26 == 2 else [CHILD_CATEGORY[0], CHILD_CATEGORY[1]]
        tags = sorted({TAGS[(i * 13 + k * 31) % len(TAGS)] for k in range(i % 4)})  # all 140 used: 2 pages
        specs.append({
            "key": f"p{i}", "title": title, "body": body, "excerpt": excerpt, "status": "publish", "type": "post",
            "slug": "", "author": AUTHORS[i % len(AUTHORS)][0], "date": f"{when:%Y-%m-%d %H:%M:%S}",
            "categories": categories, "tags": tags, "password": "", "sticky": i == 400,
            "blocks": i % 6 != 5, "more": i % 17 == 4,
        })  # fmt: skip
    hidden = [("draft", "post", ""), ("pending", "post", ""), ("private", "post", ""), ("publish", "post", "letmein"),
              ("future", "post", ""), ("publish", "page", ""), ("draft", "page", ""), ("private", "page", "")]
    for n, (status, kind, password) in enumerate(hidden * 2):
        date = "2031-01-01 10:00:00" if status == "future" else f"2024-0{1 + n % 9}-1{n % 9} 12:00:00"
        specs.append({
            "key": f"h{n}", "title": f"Hidden {status} {kind} {n}", "status": status, "type": kind,
            "body": [["p", f"{SECRET} {n}: this {status} {kind} must never be archived."]], "excerpt": "",
            "slug": "", "author": AUTHORS[n % len(AUTHORS)][0], "date": date, "categories": [CATEGORIES[0]],
            "tags": [TAGS[0]], "password": password, "sticky": False, "blocks": True, "more": False,
        })  # fmt: skip
    edits = []
    for i in range(3, POSTS, 37):  # edited after publication: a sentence added
        spec = specs[i]
        spec["edited_body"] = [*spec["body"], ["p", f"Update: this article was corrected (item {i + 1})."]]
        edits.append({"index": i})
    return specs, edits


def _content(spec: dict[str, Any], key: str = "body") -> str:
    return _html(spec[key], spec["blocks"], spec["more"])


def _texts(specs: list[dict[str, Any]]) -> list[str]:
    texts: set[str] = set()
    for spec in specs:
        texts.add(spec["title"])
        texts.add(spec["excerpt"])
        for key in ("body", "edited_body"):
            texts.update(text for _, text in spec.get(key, []))
    return sorted(texts)


def _instant(local: str, gmt: str) -> str:
    """A WordPress date (site wall clock) as ISO 8601 with the site's offset, by zoneinfo alone;
    the UTC form WordPress stored must name the same instant."""
    wall = datetime.fromisoformat(local)
    aware = wall.replace(tzinfo=ZONE)
    utc = datetime.fromisoformat(gmt).replace(tzinfo=ZoneInfo("UTC"))
    if aware.timestamp() != utc.timestamp():  # the repeated hour: the other fold (compared as
        aware = aware.replace(fold=1)  # timestamps: PEP 495 makes an ambiguous time unequal to all)
    if aware.timestamp() != utc.timestamp():
        raise SystemExit(f"WordPress stored {local} as {gmt} UTC, not an instant of {ZONE_NAME}")
    return aware.isoformat()


def expected(spec: dict[str, Any], post: dict[str, Any], shown: dict[str, str], body_key: str = "body") -> dict:
    body = [shown[text] for kind, text in spec[body_key] if kind != "caption"]
    names = sorted(spec["categories"], key=str.lower)
    published = _instant(post["date"], post["date_gmt"])
    modified = _instant(post["modified"], post["modified_gmt"])
    author = dict(AUTHORS)[spec["author"]]
    return {
        "number": post["id"], "url": post["link"], "title": shown[spec["title"]], "lede": shown[spec["excerpt"]],
        "body": "\n\n".join(body), "published": published, "modified": modified if modified > published else None,
        "category": names[0], "categories": names, "tags": sorted(spec["tags"], key=str.lower), "author": author,
        "authors": [author], "language": "en-US", "image": "",
    }  # fmt: skip


def seed() -> None:
    specs, edits = build()
    for spec in specs:
        spec["content"] = _content(spec)
    for edit in edits:
        edit["content"] = _content(specs[edit["index"]], "edited_body")
    job = {"do": "seed", "site": "The Harbour Gazette", "zone": ZONE_NAME, "authors": AUTHORS,
           "categories": CATEGORIES, "child": CHILD_CATEGORY, "posts": specs, "edits": edits,
           "texts": _texts(specs)}  # fmt: skip
    started = time.monotonic()
    answer = php(job)
    print(f"WordPress {answer['version']}: {len(answer['result'])} posts in {time.monotonic() - started:.0f} s")
    edited = {edit["index"] for edit in edits}
    records, hidden = {}, []
    for n, (spec, done) in enumerate(zip(specs, answer["result"], strict=True)):
        if spec["key"].startswith("h"):
            hidden.append(done["post"]["link"])
            continue
        body_key = "edited_body" if n in edited else "body"
        records[str(done["post"]["id"])] = {"spec": spec, "body_key": body_key, "post": done["post"]}
    STATE.mkdir(parents=True, exist_ok=True)
    state = {"records": records, "hidden": hidden, "shown": answer["shown"], "changes": 0}
    (STATE / "expected.json").write_text(json.dumps(state))
    print(f"{len(records)} published posts, {len(hidden)} hidden posts and pages; state in {STATE}")


def load_state() -> dict[str, Any]:
    path = STATE / "expected.json"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run with --seed first")
    return json.loads(path.read_text())


def expectations(state: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(k): expected(v["spec"], v["post"], state["shown"], v["body_key"]) for k, v in state["records"].items()}


def change(state: dict[str, Any]) -> tuple[int, int]:
    """One new post and one edited one (a new title and a paragraph more), through WordPress."""
    n = state["changes"]
    now = datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=5)
    new = {
        "key": f"new{n}", "title": f"Breaking: the ferry's new timetable is out ({n})", "excerpt": "",
        "body": [["p", f"The new ferry timetable ({n}) starts on Monday."], ["p", SENTENCES[n % len(SENTENCES)]]],
        "status": "publish", "type": "post", "slug": "", "author": AUTHORS[n % len(AUTHORS)][0],
        "date": f"{now:%Y-%m-%d %H:%M:%S}", "categories": [CATEGORIES[1]], "tags": [TAGS[5], TAGS[77]],
        "password": "", "sticky": False, "blocks": True, "more": False,
    }  # fmt: skip
    new["content"] = _content(new)
    numbers = sorted(int(k) for k in state["records"])
    target = str(numbers[(37 * (n + 1)) % len(numbers)])
    old = state["records"][target]["spec"]
    body = [*old[state["records"][target]["body_key"]], ["p", f"Correction number {n + 1}."]]
    old = {**old, "title": old["title"] + " (updated)", "edited_body": body}
    job = {"do": "change", "new": new, "edit": {"id": int(target), "title": old["title"],
                                                "content": _content(old, "edited_body")},
           "texts": _texts([new, old])}  # fmt: skip
    answer = php(job)
    state["shown"].update(answer["shown"])
    state["records"][str(answer["result"]["new"]["id"])] = {"spec": new, "body_key": "body",
                                                            "post": answer["result"]["new"]}  # fmt: skip
    state["records"][target] = {"spec": old, "body_key": "edited_body", "post": answer["result"]["edited"]}
    state["changes"] = n + 1
    (STATE / "expected.json").write_text(json.dumps(state))
    return answer["result"]["new"]["id"], int(target)


# ------------------------------------------------------------------------------ the check


def log_lines() -> list[str]:
    return ACCESS_LOG.read_text(errors="replace").splitlines() if ACCESS_LOG.exists() else []


def scrape(db: Path, *args: str, start: str = "/") -> tuple[int, float, dict[str, Any], str, list[str]]:
    """One `scraper scrape -v --json` run: requests at the server, seconds, summary, stderr, paths."""
    before = len(log_lines())
    command = [sys.executable, "-m", "scraper", "--db", str(db), "scrape", "-v", "--json", *args, BASE + start]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.monotonic() - started
    time.sleep(0.5)  # Apache writes its log line after the response
    ours = [line for line in log_lines()[before:] if '"scraper/' in line]
    paths = [m.group(1) for line in ours if (m := re.search(r'"GET (\S+)', line))]
    if done.returncode not in (0, 1):
        raise SystemExit(f"scrape failed ({done.returncode}):\n{done.stderr}")
    summary = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return len(ours), seconds, summary, done.stderr, paths


def archived(db: Path) -> dict[int, dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "scraper", "--db", str(db), "export", "--format", "jsonl"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout  # fmt: skip
    return {r["number"]: r for r in map(json.loads, out.splitlines())}


def mismatches(want: dict[int, dict[str, Any]], got: dict[int, dict[str, Any]], fields: tuple[str, ...]) -> dict:
    found: dict[str, list[tuple[int, Any, Any]]] = {}
    for number, record in want.items():
        if number not in got:
            found.setdefault("missing", []).append((number, record["url"], None))
            continue
        for field in fields:
            if got[number].get(field) != record[field]:
                found.setdefault(field, []).append((number, record[field], got[number].get(field)))
    for number in sorted(set(got) - set(want)):
        found.setdefault("unexpected", []).append((number, got[number].get("url"), got[number].get("title")))
    return found


def report(title: str, found: dict[str, list[tuple[int, Any, Any]]], total: int, examples: int = 2) -> None:
    bad = {n for rows in found.values() for n, _, _ in rows}
    print(f"{title}: {total - len(bad)} of {total} exact" if found else f"{title}: all {total} exact")
    for field, rows in sorted(found.items()):
        print(f"  {field}: {len(rows)}")
        for number, want, got in rows[:examples]:
            print(f"    {number}: want {str(want)[:300]!r}\n    {' ' * len(str(number))}   got {str(got)[:300]!r}")


def leaks(db: Path, hidden: list[str]) -> list[str]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT url, title, body, lede FROM articles").fetchall()
    found = [url for url, *texts in rows if any(SECRET in (t or "") for t in texts)]
    urls = {url for url, *_ in rows}
    return found + [url for url in hidden if url in urls]


def extract(url: str) -> dict[str, Any] | None:
    done = subprocess.run([sys.executable, "-m", "scraper", "extract", "--format", "json", url],
                          capture_output=True, text=True, check=False, cwd=ROOT)  # fmt: skip
    return json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else None


def said(stderr: str) -> str:
    """What `-v` said about discovery, and the summary line."""
    lines = [line for line in stderr.splitlines() if "discovery via" in line or "since" in line or "scrape:" in line]
    return "\n".join(f"  -v: {line.strip()}" for line in lines)


def check(sample: int) -> None:
    state = load_state()
    want = expectations(state)
    print(f"WordPress at {BASE}: {len(want)} published posts expected\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        requests, seconds, summary, stderr, paths = scrape(db)
        rows.append(("first run (empty archive)", requests, seconds, summary))
        print("first run\n" + said(stderr))
        print("  requests:", " ".join(path.split("?")[0] + ("?…" if "?" in path else "") for path in paths), "\n")
        got = archived(db)
        report("first run: records", mismatches(want, got, FIELDS), len(want))
        leaked = leaks(db, state["hidden"])
        print(f"leaks of drafts, private, protected, scheduled posts or pages: {len(leaked)} {leaked[:3]}")

        requests, seconds, summary, stderr, paths = scrape(db)
        rows.append(("no-change run", requests, seconds, summary))
        print("\nno-change run\n" + said(stderr) + "\n  requests: " + " ".join(paths))

        new, edited = change(state)
        want = expectations(state)
        requests, seconds, summary, stderr, paths = scrape(db)
        rows.append(("one new, one edited", requests, seconds, summary))
        print(f"\nafter one new post ({new}) and one edited ({edited})\n" + said(stderr) + "\n  requests: "
              + " ".join(paths))  # fmt: skip
        got = archived(db)
        report("after the changes: the new and the edited", mismatches({k: want[k] for k in (new, edited)},
                                                                        {k: got[k] for k in (new, edited) if k in got},
                                                                        FIELDS), 2)  # fmt: skip
        with sqlite3.connect(db) as con:
            revisions = con.execute("SELECT count(*) FROM revisions WHERE number = ?", (edited,)).fetchone()[0]
        print(f"revisions of the edited post {edited}: {revisions}")
        leaked = leaks(db, state["hidden"])
        print(f"leaks after the three runs: {len(leaked)} {leaked[:3]}")

        since, until = WINDOW
        window_db = Path(tmp) / "window.db"
        requests, seconds, summary, stderr, paths = scrape(window_db, "--since", since, "--until", until)
        inside = {n for n, record in want.items() if since <= record["published"][:10] <= until}
        found = mismatches({n: want[n] for n in inside}, archived(window_db), FIELDS)
        print(f"\nthe window --since {since} --until {until} (the end of DST): {requests} requests, {seconds:.1f} s")
        report("  records", found, len(inside))

        section_db = Path(tmp) / "section.db"
        requests, seconds, summary, stderr, paths = scrape(section_db, start=SECTION)
        listed = {n for n, record in want.items() if {CHILD_CATEGORY[1], CHILD_CATEGORY[0]} & set(record["categories"])}
        found = mismatches({n: want[n] for n in listed}, archived(section_db), FIELDS)
        print(f"\na section, {SECTION} (its child {CHILD_CATEGORY[0]!r} too): {requests} requests, {seconds:.1f} s")
        report("  records", found, len(listed))

        rng = random.Random(5)
        numbers = sorted(want)
        chosen = sorted(set(rng.sample(numbers, min(sample, len(numbers)))) | {edited, new})
        pages = {n: record for n in chosen if (record := extract(want[n]["url"])) is not None}
        print(f"\npages parsed by the HTML parser: {len(pages)} of {len(chosen)}")
        for title, reference in (("the REST records", got), ("the posts", want)):
            found = mismatches({n: reference[n] for n in chosen if n in reference}, pages, PAGE_FIELDS)
            report(f"  page records against {title}", found, len(chosen))
            unseen = {field: sum(1 for _, _, page in found.get(field, []) if page in ("", None)) for field in UNSHOWN}
            others = {n for field, rows in found.items() for n, _, page in rows
                      if field not in UNSHOWN or page not in ("", None)}  # fmt: skip
            print(f"  {len(chosen) - len(others)} of {len(chosen)} equal on every field the page shows (not shown: "
                  + ", ".join(f"{field} on {count}" for field, count in unseen.items()) + ")")  # fmt: skip

    print("\n| run | requests | seconds | new | updated | unchanged |\n|---|---:|---:|---:|---:|---:|")
    for run, requests, seconds, summary in rows:
        counts = [summary.get(key, "?") for key in ("new", "updated", "unchanged")]
        print(f"| {run} | {requests} | {seconds:.1f} | " + " | ".join(str(c) for c in counts) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="store_true", help="print /etc/wordpress/config-127.0.0.1.php")
    parser.add_argument("--apache", action="store_true", help="print the Apache site")
    parser.add_argument("--seed", action="store_true", help="install and seed the site (once)")
    parser.add_argument("--sample", type=int, default=30, help="post pages parsed by the HTML parser")
    args = parser.parse_args()
    if args.config:
        print(config(), end="")
    elif args.apache:
        print(apache(), end="")
    elif args.seed:
        seed()
    else:
        check(args.sample)


if __name__ == "__main__":
    main()
