"""The build as a maintainer meets it: a broken chapter keeps failing until it is mended,
and the prose's ``{eval}`` numbers come from the execution cache.

Each test builds a small book in a temporary folder with the project's own
``_config.yml``, extensions and build flags, and one short chapter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The command `make book` runs (jupyter-book, through book/_ext/build_book.py).
BUILD_BOOK = ROOT / "book" / "_ext" / "build_book.py"
# The flags `make book` uses, read from the Makefile so that the two cannot drift apart.
JB_FLAGS = re.search(r"^JB_FLAGS := (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1).split()

CHAPTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A short chapter

```{{code-cell}} ipython3
answer = 6 * 7
print("the answer is", answer)
```

Six times seven is {{eval}}`f"{{answer:d}}"`.

```{{code-cell}} ipython3
{line}
```
"""


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    vendor = ROOT / "_build" / "vendor"
    if not (vendor / "thebe" / "index.js").is_file():
        pytest.fail("_build/vendor is missing: run `make book` first (it fetches Thebe).")
    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "book" / "_static", tmp_path / "book" / "_static")
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book")
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "vendor").symlink_to(vendor)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/chapter\n")
    (tmp_path / "book" / "intro.md").write_text("# A small book\n\nOne chapter.\n")
    return tmp_path


def write_chapter(book: Path, line: str) -> None:
    (book / "book" / "chapter.md").write_text(CHAPTER.format(line=line))


def build(book: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD_BOOK), "build", str(book), *JB_FLAGS], capture_output=True, text=True, timeout=600
    )


def page_text(book: Path) -> str:
    html = (book / "_build" / "html" / "book" / "chapter.html").read_text()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_failing_chapter_fails_every_build_until_mended(small_book: Path):
    write_chapter(small_book, 'raise RuntimeError("the chapter is broken")')
    for attempt in ("first", "second, with nothing changed"):
        result = build(small_book)
        assert result.returncode != 0, f"the {attempt} build of a raising chapter passed:\n{result.stdout[-2000:]}"
        report = small_book / "_build" / "html" / "reports" / "book" / "chapter.err.log"
        assert "the chapter is broken" in report.read_text()  # myst-nb's traceback of this build
        report.unlink()
    write_chapter(small_book, "assert answer == 42")
    result = build(small_book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = page_text(small_book)
    assert "the answer is 42" in text  # the cell's output is back
    assert "Six times seven is 42." in text


def test_eval_numbers_come_from_the_execution_cache(small_book: Path):
    write_chapter(small_book, "assert answer == 42")
    first = build(small_book)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Executing notebook" in first.stdout
    # A changed sentence around the same expression: the page is read again, the code
    # has not changed, so the number comes from the cache without executing anything.
    chapter = small_book / "book" / "chapter.md"
    chapter.write_text(chapter.read_text().replace("Six times seven", "Seven times six"))
    second = build(small_book)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "Executing notebook" not in second.stdout
    assert "Using cached notebook" in second.stdout
    assert "Seven times six is 42." in page_text(small_book)


CITING_CHAPTER = """\
# A citing chapter

As {cite:t}`paper` showed.

```{bibliography}
:filter: docname in docnames
```
"""

PAPER = """\
@article{paper,
  author  = {Doe, Jane},
  title   = {TITLE},
  {journal}
  year    = {2020}
}
"""


def test_citations_are_formatted_anew_when_the_bibliography_changes(small_book: Path):
    """The build keeps formatted citations between builds (build_book.py): a changed
    .bib file is formatted again, and a citation that warned warns on every build."""
    bib = small_book / "book" / "references.bib"
    (small_book / "book" / "chapter.md").write_text(CITING_CHAPTER)
    bib.write_text(PAPER.replace("TITLE", "A First Title").replace("{journal}", ""))
    for attempt in ("first", "second, with nothing changed"):
        result = build(small_book)
        assert result.returncode != 0, f"the {attempt} build passed with a journal missing:\n{result.stdout[-2000:]}"
        assert "missing journal" in result.stderr + result.stdout
    bib.write_text(PAPER.replace("TITLE", "A Second Title").replace("{journal}", "journal = {Some Journal},"))
    result = build(small_book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "second title" in page_text(small_book)  # the style sets titles in sentence case
    bib.write_text(PAPER.replace("TITLE", "A Third Title").replace("{journal}", "journal = {Some Journal},"))
    result = build(small_book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "third title" in page_text(small_book)
    assert "second title" not in page_text(small_book)
