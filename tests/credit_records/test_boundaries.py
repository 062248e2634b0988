"""DESIGN section 2: an app never imports an app to its right."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(app: str) -> set[str]:
    modules = set()
    for path in (ROOT / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [("complaints", {"credit_records", "sanctions"}), ("credit_records", {"sanctions"})],
)
def test_app_does_not_import_apps_to_its_right(app, forbidden):
    assert imported_modules(app) & forbidden == set()
