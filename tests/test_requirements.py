"""Every package a reader's code imports is one the reader's install brings.

A chapter runs where only the book's own requirements are installed: `make book` on
a fresh clone, Binder's "Run All", Live Code. A chapter that imports a package only the
test extras bring (as three once imported scikit-learn) builds in CI, where the extras
go in first, and fails everywhere else. So: every module imported by a chapter's code
cells, or by the code of its exercises' solutions, belongs to a distribution named in
requirements.txt; every module lossviz imports, to one named in pyproject.toml.
(`make test` also builds the book before the test extras are installed, which catches
the same mistake on a fresh clone; this check catches it in any environment.)
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# Code blocks inside markdown: exercise solutions a student copies into a cell.
FENCED_PYTHON = re.compile(r"^(?P<fence>~{3,}|`{3,})python\n(?P<code>.*?)^(?P=fence)", re.MULTILINE | re.DOTALL)
DISTRIBUTIONS = packages_distributions()


def imported_modules(code: str) -> set[str]:
    """Top-level modules a piece of notebook code imports (IPython magics skipped)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def third_party(modules: set[str]) -> dict[str, set[str]]:
    """module -> the distributions that provide it, for modules outside the standard library."""
    return {
        module: {canonicalize_name(d) for d in DISTRIBUTIONS.get(module, [module])}
        for module in modules
        if module not in sys.stdlib_module_names and module != "lossviz"
    }


def chapter_code(path: Path) -> str:
    notebook = read_myst_markdown_notebook(path.read_text())
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    fenced = [m.group("code") for cell in notebook.cells if cell.cell_type == "markdown" for m in FENCED_PYTHON.finditer(cell.source)]
    return "\n".join(cells + fenced)


def named_in(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line and not line.startswith("-"):
            names.add(canonicalize_name(Requirement(line).name))
    return names


BOOK_REQUIREMENTS = named_in((ROOT / "requirements.txt").read_text().splitlines())
CHAPTERS = sorted(path for path in (ROOT / "book").glob("*.md") if "kernelspec:" in path.read_text()[:500])


def test_the_checks_see_a_test_only_import():
    """The check itself: scikit-learn's module is sklearn, a name pip does not know."""
    assert third_party(imported_modules("import math\nfrom sklearn import metrics\n%pip install x")) == {
        "sklearn": {"scikit-learn"}
    }


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_imports_only_what_requirements_txt_installs(chapter):
    missing = {
        module: sorted(dists)
        for module, dists in third_party(imported_modules(chapter_code(chapter))).items()
        if not dists & BOOK_REQUIREMENTS
    }
    assert not missing, f"{chapter.name} imports packages requirements.txt does not name: {missing}"


def test_lossviz_imports_only_its_declared_dependencies():
    declared = named_in(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    code = "\n".join(path.read_text() for path in (ROOT / "lossviz").glob("*.py"))
    missing = {module: sorted(d) for module, d in third_party(imported_modules(code)).items() if not d & declared}
    assert not missing, f"lossviz imports packages pyproject.toml does not declare: {missing}"
