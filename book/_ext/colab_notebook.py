"""Point the Colab launch button at the chapter's executed notebook.

sphinx-book-theme builds the Colab link from the source's path in the repository,
``blob/<branch>/book/<chapter>.md``; Colab opens only ``.ipynb`` files from GitHub,
so for a MyST-markdown chapter that link is a dead end. The site itself carries
each chapter as an executed notebook (the theme's ``.ipynb`` download,
``_sources/<page>.ipynb``); once the built site is published on a branch of the
same repository (``ghp-import -n -p -f _build/html`` publishes ``gh-pages``), Colab
can open that notebook. The branch is ``colab_notebook_branch`` (``_config.yml``);
the repository and Colab's address stay where the theme reads them
(``repository.url``, ``launch_buttons.colab_url``).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _buttons(buttons: list[dict[str, Any]]):
    for button in buttons:
        yield button
        yield from _buttons(button.get("buttons", []))


def rewrite_colab(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    notebook = context.get("ipynb_source")
    theme = app.config.html_theme_options
    colab = theme.get("launch_buttons", {}).get("colab_url", "").strip("/")
    repository = theme.get("repository_url", "").rstrip("/")
    if not (notebook and colab and repository.startswith("https://github.com/")):
        return
    org, repo = repository.removeprefix("https://github.com/").split("/")[:2]
    url = f"{colab}/github/{org}/{repo}/blob/{app.config.colab_notebook_branch}/_sources/{notebook}"
    for button in _buttons(context.get("header_buttons", [])):
        if button.get("text") == "Colab":
            button["url"] = url


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("colab_notebook_branch", "gh-pages", "html")
    # After sphinx-book-theme's add_launch_buttons (priority 501) made the buttons.
    app.connect("html-page-context", rewrite_colab, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
