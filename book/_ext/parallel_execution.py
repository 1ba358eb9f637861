"""Execute the chapters that need it on every core, before Sphinx reads them.

With ``execute_notebooks: cache`` myst-nb executes a chapter when Sphinx reads it,
one after another: after a change to ``lossviz/``, which drops the cache (Makefile),
every chapter ran in turn on one core. Here, when the builder starts, each
chapter is read as the build reads it (myst-nb's reader, with ``prose_eval``'s
evaluation cells); those jupyter-cache does not hold are executed in parallel,
as many at once as there are cores (``LOSSVIZ_BUILD_JOBS`` to override), each in
its own directory with the build's timeout; and what succeeds is stored in the
cache. Sphinx then reads every chapter from the cache. A chapter that fails here
is left out of the cache, so myst-nb executes it again as it reads it, and it
fails the build with its traceback in the report, as before.
"""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from prose_eval import with_evaluation_cells
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def chapters(srcdir: Path, docnames: set[str]) -> list[Path]:
    """The MyST notebooks among the documents (a kernelspec in their front matter)."""
    paths = [srcdir / f"{docname}.md" for docname in sorted(docnames)]
    return [p for p in paths if p.is_file() and "\nkernelspec:" in p.read_text(encoding="utf-8")]


def last_seconds(seconds_file: Path) -> dict[str, float]:
    """How long each chapter took to execute last time (empty if never recorded)."""
    with suppress(OSError, ValueError):
        return json.loads(seconds_file.read_text(encoding="utf-8"))
    return {}


def as_built(path: Path) -> nbformat.NotebookNode:
    """The notebook the build executes for a chapter."""
    return with_evaluation_cells(read_myst_markdown_notebook(path.read_text(encoding="utf-8")))


def execute_uncached(app, env, docnames) -> None:
    config = env.mystnb_config  # myst-nb's, with the cache's path resolved
    if config.execution_mode != "cache":
        return
    cache = get_cache(config.execution_cache_path)
    pending = []
    for path in chapters(Path(app.srcdir), set(docnames)):
        notebook = as_built(path)
        with suppress(KeyError):
            cache.match_cache_notebook(notebook)
            continue
        pending.append((path, notebook))
    if len(pending) < 2:
        return  # nothing to gain: myst-nb executes it as it reads it
    # The longest first: run alphabetically, the experiment (37 s) started fifth and
    # regression (18 s) last, while the other core idled for 12 s. A chapter never
    # timed goes first, by size. The times are kept beside the cache, which the
    # Makefile drops when lossviz/ changes.
    seconds_file = Path(config.execution_cache_path).parent / ".execution-seconds.json"
    seconds = last_seconds(seconds_file)
    pending.sort(key=lambda item: (-seconds.get(item[0].name, math.inf), -item[0].stat().st_size))
    # Imported here, not at start-up: they bring SQLAlchemy (0.4 s of a warm build's CPU).
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    jobs = int(os.environ.get("LOSSVIZ_BUILD_JOBS", os.cpu_count() or 1))
    # Each kernel's torch and BLAS start a thread per core: two kernels on two cores then
    # ran four busy threads, and each chapter took twice as long as alone. The kernels
    # inherit this environment; a variable the user set is kept.
    for threads in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(threads, str(max(1, (os.cpu_count() or 1) // jobs)))
    LOGGER.info(f"executing {len(pending)} chapters, {jobs} at a time")
    start = time.perf_counter()

    def execute(item):
        path, notebook = item
        # Threads suffice: each chapter runs in its own kernel process.
        return path, notebook, single_nb_execution(
            notebook,
            cwd=str(path.parent),
            timeout=config.execution_timeout,
            allow_errors=config.execution_allow_errors,
            meta_override=True,
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, notebook, result in pool.map(execute, pending):
            seconds[path.name] = round(result.time, 1)
            if result.err is None:
                cache.cache_notebook_bundle(
                    CacheBundleIn(notebook, str(path), data={"execution_seconds": result.time}),
                    check_validity=False,
                    overwrite=True,
                )
                LOGGER.info(f"executed {path.name} in {result.time:.1f} s")
            else:
                LOGGER.info(f"{path.name} failed; it runs again as Sphinx reads it")
    seconds_file.write_text(json.dumps(seconds, indent=1, sort_keys=True), encoding="utf-8")
    LOGGER.info(f"executed {len(pending)} chapters in {time.perf_counter() - start:.1f} s")


def setup(app) -> dict[str, object]:
    # env-before-read-docs: Sphinx knows which documents it is about to read.
    app.connect("env-before-read-docs", execute_uncached)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
