"""Publishing: the GitHub Actions workflow that puts the built site on GitHub Pages.

It cannot run here (it needs GitHub), so it is checked as far as it can be without:
actionlint (from PyPI) finds no error in it, it builds with the README's own command,
and it publishes the folder that command builds onto the branch the Colab buttons read.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def steps() -> list[dict]:
    (job,) = yaml.safe_load(WORKFLOW.read_text())["jobs"].values()
    return job["steps"]


def test_actionlint_finds_nothing():
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint, "actionlint is missing: `make test` installs it from requirements-test.txt"
    result = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_builds_with_the_readme_command():
    readme = (ROOT / "README.md").read_text()
    assert "make book   #" in readme
    runs = [step["run"].strip() for step in steps() if "run" in step]
    assert runs == ["make book"], runs


def test_it_publishes_the_built_site_where_colab_looks():
    (publish,) = [step for step in steps() if step.get("uses", "").startswith("peaceiris/actions-gh-pages@")]
    assert publish["with"]["publish_dir"] == "./_build/html"
    assert publish["with"]["publish_branch"] == CONFIG["sphinx"]["config"]["colab_notebook_branch"]


def test_it_runs_when_the_book_branch_changes():
    triggers = yaml.safe_load(WORKFLOW.read_text())[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == [CONFIG["repository"]["branch"]]
