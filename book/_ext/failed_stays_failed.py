"""A build that warned forgets its environment, so the next build reads every page again.

The book builds with warnings as errors and ``--keep-going``: a chapter that raises
(or prints to stderr, or glues a bad value) makes a warning, and the build fails. But
Sphinx saves its environment before writing, with that chapter marked as read, and
jupyter-cache holds no record of a failed notebook: the next ``make book`` with
nothing changed would read nothing, execute nothing, report "build succeeded" and ship
the page without its outputs. Sphinx itself deletes the saved environment when a build
raises, "to force a fresh build next time"; this does the same when a build warned.
The next build then reads every page again: the chapters that succeeded come from
jupyter-cache in a second or two each, and the one that failed is executed again and
fails again, until it is mended.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import ENV_PICKLE_FILENAME, Sphinx


def forget_failed_build(app: Sphinx, exception: Exception | None) -> None:
    # Sphinx counts warnings only here (7.x has no public counter).
    if exception is None and app._warncount:
        Path(app.doctreedir, ENV_PICKLE_FILENAME).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", forget_failed_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
