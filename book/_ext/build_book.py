"""``jupyter-book``, less the start-up costs that made most of a warm build's CPU.

A warm build (nothing changed) reads and writes no page, yet cost 5.6 s of CPU,
nearly all of it work whose result it never used:

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
- The formatting itself, 0.45 s, is remembered across builds (see
  ``remember_formatted_citations``).
- myst-nb imports its jupyter-cache client, and with it SQLAlchemy (0.4 s), when
  it starts, though only a chapter being read uses it. It is imported then
  (see ``defer_execution_cache``).

Usage, as the Makefile runs it: ``python book/_ext/build_book.py build . [options]``.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types

EXECUTION_CACHE = "myst_nb.core.execute.cache"


def defer_execution_cache() -> None:
    """Import myst-nb's cache client only when a chapter is read.

    ``myst_nb.core.execute`` takes one name from that module, ``NotebookClientCache``,
    which it calls for each chapter it reads. It gets a function that imports the
    module and makes the call. Should a later myst-nb import anything else from the
    module, that import fails at start-up, so the build fails loudly, not stale.
    """
    def notebook_client_cache(*args, **kwargs):
        if sys.modules.get(EXECUTION_CACHE) is deferred:
            del sys.modules[EXECUTION_CACHE]
        return importlib.import_module(EXECUTION_CACHE).NotebookClientCache(*args, **kwargs)

    deferred = types.ModuleType(EXECUTION_CACHE)
    deferred.NotebookClientCache = notebook_client_cache  # type: ignore[attr-defined]
    sys.modules[EXECUTION_CACHE] = deferred


def remember_formatted_citations() -> None:
    """Keep each bibliography's formatted entries in the Sphinx environment.

    sphinxcontrib-bibtex formats every cited entry of every page, twice (text and
    tooltip), on every build, even when no page changed: 0.45 s of CPU. The result
    depends only on the bibliography's options, the cited keys in citation order and
    the .bib files, so it is kept, keyed on those, in the domain's data, which Sphinx
    pickles with the environment. A formatting that warned (a missing field) does
    not outlive its build: a build that warns forgets its environment
    (``failed_stays_failed``), so the warning, and the failure, come back every time.
    """
    from sphinxcontrib.bibtex.domain import BibtexDomain

    format_entries = BibtexDomain.get_formatted_entries

    @functools.wraps(format_entries)
    def get_formatted_entries(self, bibliography_key, docnames, tooltips, tooltips_style):
        bibliography = self.bibliographies[bibliography_key]
        fingerprint = (
            bibliography.style,
            bibliography.labelprefix,
            tooltips,
            tooltips_style,
            tuple((str(path), bibfile.mtime) for path, bibfile in self.bibdata.bibfiles.items()),
            tuple(key for key, _ in self.get_sorted_entries(bibliography_key, docnames)),
        )
        remembered = self.data.setdefault("lossviz_formatted_entries", {})
        if bibliography_key in remembered and remembered[bibliography_key][0] == fingerprint:
            return iter(remembered[bibliography_key][1])
        formatted = list(format_entries(self, bibliography_key, docnames, tooltips, tooltips_style))
        remembered[bibliography_key] = (fingerprint, formatted)
        return iter(formatted)

    BibtexDomain.get_formatted_entries = get_formatted_entries


if __name__ == "__main__":
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    import pybtex.plugin

    pybtex.plugin._load_entry_point = functools.cache(pybtex.plugin._load_entry_point)
    defer_execution_cache()
    remember_formatted_citations()
    from jupyter_book.cli.main import main

    sys.argv[0] = "jupyter-book"
    main()
