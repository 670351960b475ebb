"""The README stays true: every command and exit code documented, the two commands present."""

from __future__ import annotations

import re

from conftest import ROOT

from scraper import cli as cli_module

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme_and_has_help() -> None:
    for name, command in cli_module.cli.commands.items():
        assert f"scraper {name}" in README, name
        assert command.help, name


def test_exit_code_table_matches_the_code() -> None:
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README, flags=re.MULTILINE))
    codes = {value for name, value in vars(cli_module).items() if name.startswith("EXIT_") and isinstance(value, int)}
    assert {int(code) for code in table} == codes


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(line.strip() for line in README.splitlines() if "pytest" in line and line.startswith("    "))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test]'" in test_command and "pip install --quiet -e '.[test]'" in ci
    assert test_command.endswith("-m pytest") and ".venv/bin/python -m pytest" in ci


def test_ci_checks_types_with_what_the_test_extra_installs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extra = (ROOT / "setup.cfg").read_text(encoding="utf-8").split("test =", 1)[1].split("\n\n", 1)[0]
    assert ".venv/bin/mypy scraper" in ci and "mypy scraper" in README
    assert all(name in extra for name in ("mypy", "types-requests", "lxml-stubs"))


def test_the_layout_names_every_module() -> None:
    layout = README.split("## Layout", 1)[1]
    package = ROOT / "scraper"
    for path in sorted(package.iterdir()):
        if path.name.startswith("__") or not (path.suffix == ".py" or (path / "__init__.py").exists()):
            continue
        name = f"scraper/{path.name}" + ("/" if path.is_dir() else "")
        assert name in layout, f"{name} is not in the README's Layout section"
    for path in sorted((package / "pipeline").glob("*.py")):
        assert path.name == "__init__.py" or path.name in layout, path.name


def test_demo_command_uses_a_bundled_site() -> None:
    demo = next(line.strip() for line in README.splitlines() if "scrape fixtures/sites/" in line and "venv" in line)
    site = re.search(r"scrape (fixtures/sites/[\w-]+)", demo)
    assert site and (ROOT / site.group(1) / "index.html").is_file()
