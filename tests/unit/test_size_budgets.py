"""Size budgets keep the code navigable: modules <= 500 lines, functions <= 60 lines, at most
6 parameters (self/cls not counted; group related values in a dataclass). Route handlers are
exempt from the parameter budget: their parameters are the declared wire contract (query
parameters, path parameters and dependencies), not a call signature."""

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
            if any(_is_route_decorator(d) for d in node.decorator_list):
                continue
            args = node.args
            positional = [a for a in args.posonlyargs + args.args if a.arg not in ("self", "cls")]
            assert len(positional) + len(args.kwonlyargs) <= MAX_PARAMETERS, f"{node.name} has too many parameters"


def _is_route_decorator(decorator: ast.expr) -> bool:
    """``@router.get(...)`` and friends."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in {"get", "post", "put", "patch", "delete"}
    )
