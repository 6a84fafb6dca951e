"""Every job path is named once, in textline/core/jobs.py, and each one resolves to a job function."""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from textline.core import jobs

ROOT = Path(__file__).resolve().parents[2]
JOB_PATH = re.compile(r"workers(\.[A-Za-z_]\w*){2,}")


@pytest.mark.parametrize("path", jobs.ALL)
def test_each_job_path_resolves_to_a_function_taking_ids(path: str) -> None:
    module, _, name = path.rpartition(".")
    fn = getattr(importlib.import_module(module), name, None)
    assert inspect.isfunction(fn), f"{path} is not a function"
    for parameter in inspect.signature(fn).parameters.values():
        assert parameter.annotation in ("int", "str"), f"{path}({parameter.name}): jobs take ids only"


def test_every_job_path_is_listed_once() -> None:
    names = {name: value for name, value in vars(jobs).items() if name.isupper() and isinstance(value, str)}
    assert sorted(names.values()) == sorted(jobs.ALL)
    assert len(set(jobs.ALL)) == len(jobs.ALL)


def test_no_other_module_spells_a_job_path() -> None:
    spelled = []
    for folder in ("textline", "flows", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "textline" / "core" / "jobs.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and JOB_PATH.fullmatch(node.value):
                    spelled.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert spelled == [], "use the names in textline/core/jobs.py"
