"""benchmarks/sets.py: the figures it reads and the floors it guards (the sets themselves live
outside the checkout, so only the pure parts are tested here)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sets():
    spec = importlib.util.spec_from_file_location("bench_sets", ROOT / "benchmarks" / "sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_number_reads_the_leading_figure():
    sets = _sets()
    assert sets.number("0.973 (P 0.969 R 0.977)") == 0.973
    assert sets.number("3 of 92") == 3
    assert sets.number("-") is None


def test_floors_fail_on_a_fall_and_on_more_empty_bodies(tmp_path, capsys):
    sets = _sets()
    floors = tmp_path / "floor.json"
    floors.write_text(json.dumps({"dates/F": 0.95, "fundus/empty body": 1}))
    ok = {"dates/F": 0.951, "fundus/empty body": 1}
    assert sets.gate(ok, floors, check=True, update=False, allow_regression=False) == 0
    assert sets.gate({**ok, "dates/F": 0.949}, floors, check=True, update=False, allow_regression=False) == 1
    assert sets.gate({**ok, "fundus/empty body": 2}, floors, check=True, update=False, allow_regression=False) == 1
    assert "fundus/empty body" in capsys.readouterr().err


def test_update_raises_floors_but_lowers_them_only_when_allowed(tmp_path):
    sets = _sets()
    floors = tmp_path / "floor.json"
    floors.write_text(json.dumps({"dates/F": 0.95}))
    assert sets.gate({"dates/F": 0.9617}, floors, check=False, update=True, allow_regression=False) == 0
    assert json.loads(floors.read_text()) == {"dates/F": 0.961}
    assert sets.gate({"dates/F": 0.90}, floors, check=False, update=True, allow_regression=False) == 1
    assert json.loads(floors.read_text()) == {"dates/F": 0.961}
    assert sets.gate({"dates/F": 0.90}, floors, check=False, update=True, allow_regression=True) == 0
    assert json.loads(floors.read_text()) == {"dates/F": 0.9}
