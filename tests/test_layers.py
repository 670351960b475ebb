"""The layer rules, checked on the import statements of every module (top-level, lazy and
TYPE_CHECKING imports alike): data flows cli -> pipeline -> discover / fetch / parse -> models, and
no two modules import each other, directly or round a circle.

    cli        the click commands: may use everything below
    pipeline   one scrape run: discovery walks, triage, fetching, parsing, storing through a protocol;
               never the archive, the CLI, the sources file or the exporters
    archive    the SQLite archive          export, textformat   the output formats
    settings   the resolved settings       config               the sources file
    discover   pure: bytes in, links out   fetch                getting pages
    warc       web archive files (WARC): records in and out
    parse      pages into Articles         base                 plain data, errors, URLs, times
    health     pure: a source's ledger in, its health out (its thresholds: config, settings)
    htmlreport pure: the archive's totals and each source's ledger and health in, an HTML page out

KNOWN lists the edges that break a rule today; each step of the rewiring deletes its lines, and a
line that no longer matches an import fails the test, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "scraper"

BASE = {
    "scraper", "scraper.models", "scraper.errors", "scraper.urls", "scraper.encoding", "scraper.timewindow",
    "scraper.timestamps", "scraper.robotstxt", "scraper.window", "scraper.dates", "scraper.posts", "scraper.shard",
    "scraper.packing",
}  # fmt: skip
COMPONENTS = {  # module prefix -> component (the longest prefix wins)
    "scraper.cli": "cli",
    "scraper.__main__": "cli",
    "scraper.pipeline": "pipeline",
    "scraper.archive": "archive",
    "scraper.export": "export",
    "scraper.textformat": "textformat",
    "scraper.settings": "settings",
    "scraper.config": "config",
    "scraper.lock": "lock",
    "scraper.discover": "discover",
    "scraper.fetch": "fetch",
    "scraper.parse": "parse",
    "scraper.warc": "warc",
    "scraper.health": "health",
    "scraper.htmlreport": "htmlreport",
    "scraper.charts": "htmlreport",
}
LOWER = {"base"}
ALLOWED = {  # component -> the components it may import (besides itself)
    "cli": {"pipeline", "archive", "export", "textformat", "settings", "config", "lock", "discover", "fetch", "parse",
            "warc", "health", "htmlreport"}
    | LOWER,
    "pipeline": {"discover", "fetch", "parse", "settings", "warc"} | LOWER,
    "archive": LOWER,
    "export": {"textformat", "warc"} | LOWER,
    "textformat": LOWER,
    "settings": {"config", "health"} | LOWER,
    "config": {"health"} | LOWER,
    "health": LOWER,
    "htmlreport": {"health"} | LOWER,
    "lock": LOWER,
    "discover": LOWER,
    "fetch": LOWER,
    "parse": LOWER,
    "warc": LOWER,  # web archives: records, files, reading them (warcio)
    "base": set(),
}
KNOWN: set[tuple[str, str]] = set()
KNOWN_BUILDERS: set[str] = set()
KNOWN_CIRCLES: list[list[str]] = []


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package -> the package's modules it imports."""
    names = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [sub for sub in subs if sub in names] or [node.module]
            for target in targets:
                while target and target not in names:
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("scraper"):
                    found.add(target)
        graph[name] = found
    return graph


def component(module: str) -> str:
    if module in BASE:
        return "base"
    prefixes = [prefix for prefix in COMPONENTS if module == prefix or module.startswith(prefix + ".")]
    assert prefixes, f"{module}: in no layer; add it to COMPONENTS or BASE in tests/test_layers.py"
    return COMPONENTS[max(prefixes, key=len)]


def violations(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for importer, imported in graph.items():
        for target in imported:
            mine, theirs = component(importer), component(target)
            if mine != theirs and theirs not in ALLOWED[mine]:
                found.add((importer, target))
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in imports():
        component(module)


def test_no_layer_imports_against_the_flow() -> None:
    found = violations(imports())
    assert found - KNOWN == set(), "imports against the layer rules"
    assert KNOWN - found == set(), "fixed: delete these lines from KNOWN"


def test_no_import_circles() -> None:
    assert sorted(circles(imports())) == sorted(KNOWN_CIRCLES)


def test_cli_commands_do_not_import_the_cli_package() -> None:
    """cli/*.py share cli/common.py and cli/report.py; only cli/__init__.py gathers the commands."""
    graph = imports()
    assert {name for name, targets in graph.items() if name.startswith("scraper.cli.") and "scraper.cli" in targets} == set()


def test_discovery_builds_no_articles() -> None:
    """discover/ finds candidates (Links, REST posts); records are the parse layer's job."""
    builders = set()
    for path in (PACKAGE / "discover").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.module == "scraper.models" and "Article" in names:
                builders.add(module_name(path))
    assert builders == KNOWN_BUILDERS


def test_the_checker_sees_a_circle_and_a_lazy_import(tmp_path: Path) -> None:
    graph = {"scraper.a": {"scraper.b"}, "scraper.b": {"scraper.c"}, "scraper.c": {"scraper.a"}, "scraper.d": set()}
    assert circles(graph) == [["scraper.a", "scraper.b", "scraper.c"]]
    assert ("scraper.cli.scrape", "scraper.lock") in {
        (name, target) for name, targets in imports().items() for target in targets
    }  # the scrape command imports the lock inside a function
