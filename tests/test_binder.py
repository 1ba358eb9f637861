"""binder/ (repo2docker) agrees with the one dependency list, requirements.txt.

Binder itself needs the internet; these tests check, offline, what it would install:
the CPU-only PyTorch index, the book's requirements by reference (never a copy), the
Python version, and the jupytext set-up that opens the MyST chapters as notebooks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_PIN = "torch==2.13.0"


def lines(path: Path) -> list[str]:
    """Non-empty lines of a requirements file, comments removed."""
    out = []
    for line in path.read_text().splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out


def requirements(path: Path) -> dict[str, list[str]]:
    """Package name -> the lines naming it, following `-r` includes (relative to the file,
    as pip does). Options (`--extra-index-url`, `-e .`) are not packages and are skipped."""
    found: dict[str, list[str]] = {}
    for line in lines(path):
        if line.startswith(("-r ", "--requirement ")):
            for name, where in requirements((path.parent / line.split(maxsplit=1)[1]).resolve()).items():
                found.setdefault(name, []).extend(where)
        elif line.startswith("-"):
            continue
        else:
            found.setdefault(canonicalize_name(Requirement(line).name), []).append(f"{path.name}: {line}")
    return found


def test_binder_installs_the_cpu_torch_then_the_one_dependency_list():
    binder = lines(BINDER / "requirements.txt")
    assert f"--extra-index-url {CPU_INDEX}" in binder, "the CPU-only PyTorch index is missing"
    assert "-r ../requirements.txt" in binder, "binder must refer to requirements.txt, not copy it"
    assert (BINDER / "../requirements.txt").resolve() == ROOT / "requirements.txt"
    # The index must come before anything is resolved from it (pip reads options first
    # anyway; keeping it first makes the file read in the order pip applies it).
    assert binder.index(f"--extra-index-url {CPU_INDEX}") < binder.index("-r ../requirements.txt")


def test_the_torch_pin_and_the_package_itself_are_in_requirements_txt():
    main = lines(ROOT / "requirements.txt")
    assert TORCH_PIN in main, f"requirements.txt must pin {TORCH_PIN} (the CPU wheel the index above serves)"
    assert "-e ." in main, "requirements.txt must install lossviz itself (editable)"


def test_no_dependency_is_repeated():
    merged = requirements(BINDER / "requirements.txt")
    repeated = {name: where for name, where in merged.items() if len(where) > 1}
    assert not repeated, f"named more than once across binder/ and requirements.txt: {repeated}"
    own = [name for name, where in merged.items() if any(w.startswith("requirements.txt") for w in where)]
    assert "torch" in own


def test_binder_adds_only_what_binder_needs():
    """Everything binder/ names beyond the shared list is JupyterLab and its extensions
    (binder/jupyterlab.txt, which the notebook browser tests install too)."""
    assert not [line for line in lines(BINDER / "requirements.txt") if not line.startswith("-")]
    assert "-r jupyterlab.txt" in lines(BINDER / "requirements.txt")
    own = {canonicalize_name(Requirement(line).name) for line in lines(BINDER / "jupyterlab.txt")}
    assert own == {"jupyterlab", "jupytext", "jupyterlab-myst"}
    assert "-r binder/jupyterlab.txt" in lines(ROOT / "requirements-test.txt")


def test_runtime_python_satisfies_the_package():
    (runtime,) = lines(BINDER / "runtime.txt")
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"repo2docker expects python-X.Y, got {runtime!r}"
    version = f"{match[1]}.{match[2]}"
    pyproject = (ROOT / "pyproject.toml").read_text()
    requires = re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject, re.MULTILINE)[1]
    assert version + ".0" in SpecifierSet(requires), f"{runtime} does not satisfy requires-python {requires}"


def test_post_build_opens_myst_chapters_as_notebooks():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only when it is executable"
    text = post_build.read_text()
    assert text.startswith("#!/bin/bash")
    assert re.search(r"^jupytext-config set-default-viewer\b.*\bmyst\b", text, re.MULTILINE)
    # Every cell laid out, so that jupyterlab-myst evaluates the prose of all of them.
    assert "notebook-extension" in text and '{"windowingMode": "none"}' in text


@pytest.mark.parametrize("name", ["environment.yml", "Pipfile", "setup.py", "Dockerfile"])
def test_no_competing_repo2docker_configuration(name):
    """repo2docker picks one configuration: with environment.yml (conda) or a Dockerfile
    in binder/ the requirements above would be ignored."""
    assert not (BINDER / name).exists()
