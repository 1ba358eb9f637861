"""``jupyter-book``, less two start-up costs that made half of a warm build's CPU.

- Jupyter Book validates its configuration with ``jsonschema``. When
  ``rfc3987-syntax`` is installed (``jupyter_server`` brings it, through
  ``jupyter-events``: JupyterLab in the test extras and on Binder), importing
  ``jsonschema`` compiles 38 Lark grammars for its "iri" format checks, about
  1.5 s of CPU on every build, for formats the book's configuration never uses.
  Marking the module absent makes ``jsonschema`` skip those checks, exactly as
  when the package is not installed.
- sphinxcontrib-bibtex formats every citation on every build, and pybtex looks
  each of its plugins up again each time through ``importlib.metadata``'s entry
  points, which scans every installed distribution: about 0.6 s a build for the
  same few lookups. They are remembered for the build (plugins do not change
  while it runs).

Usage, as the Makefile runs it: ``python book/_ext/build_book.py build . [options]``.
"""

from __future__ import annotations

import functools
import sys

if __name__ == "__main__":
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    import pybtex.plugin

    pybtex.plugin._load_entry_point = functools.cache(pybtex.plugin._load_entry_point)
    from jupyter_book.cli.main import main

    sys.argv[0] = "jupyter-book"
    main()
