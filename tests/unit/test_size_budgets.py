"""Size budgets keep the code navigable: modules <= 500 lines, functions <= 60 lines,
at most 6 parameters (excluding self/cls and keyword-only settings objects are encouraged)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "pyrewatch"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_PARAMETERS = 6


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_module_within_budgets(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{node.name} is {length} lines"
            args = node.args
            positional = [a for a in args.posonlyargs + args.args if a.arg not in ("self", "cls")]
            assert len(positional) + len(args.kwonlyargs) <= MAX_PARAMETERS, f"{node.name} has too many parameters"
