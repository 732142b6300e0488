"""Architecture checks that import-linter does not make: no module past 500 lines, and no module
importing another module's private (underscore) names. ``make test`` runs this after the
import-linter contracts (``lint-imports``, configured in pyproject.toml):

    python -m focus_lab.architecture
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("focus_lab", "accounts", "districts", "partners", "agreements", "usda_foods", "purchasing")
MAX_LINES = 500


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def project_modules(root: Path = ROOT) -> Iterator[Path]:
    """Every Python module of the project's packages; migrations are history, not design."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield path


def oversized_modules(paths: Iterator[Path] | list[Path], *, root: Path = ROOT) -> list[Problem]:
    """Modules longer than ``MAX_LINES``: split them into a package within their area."""
    problems = []
    for path in paths:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            rel = str(path.relative_to(root))
            problems.append(Problem(rel, count, f"{count} lines (at most {MAX_LINES}): split it by area"))
    return problems


def private_imports(paths: Iterator[Path] | list[Path], *, root: Path = ROOT) -> list[Problem]:
    """``from project.module import _name``: another module's private name. Make it public (and
    say so in its docstring) or move the code that needs it."""
    problems = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            if node.module.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    rel = str(path.relative_to(root))
                    problems.append(Problem(rel, node.lineno, f"imports private {node.module}.{alias.name}"))
    return problems


def main() -> int:
    paths = list(project_modules())
    problems = oversized_modules(paths) + private_imports(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"[architecture] {len(paths)} modules checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
