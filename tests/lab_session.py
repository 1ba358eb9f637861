"""A JupyterLab set up as Binder sets it up, on 127.0.0.1, for the tests and benchmarks.

Binder runs binder/postBuild (jupytext becomes the viewer of MyST markdown) and opens
``lab/tree/book/<chapter>.md``. :func:`jupyterlab` does the same over a copy of book/,
so that nothing JupyterLab saves can touch the chapters; :func:`run_all` presses
Run > Run All Cells and :func:`wait_until_run` waits for every cell to finish.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(home: Path) -> Iterator[str]:
    """JupyterLab serving a copy of book/ under ``home``; yields ``url(chapter)``'s base:
    ``f"{base}lab/workspaces/{chapter}/tree/book/{chapter}.md?token=..."`` is
    ``base.format(chapter=...)``."""
    shutil.copytree(ROOT / "book", home / "book", ignore=shutil.ignore_patterns("_ext", "_static", "*.bib"))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "config" / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    # A kernel started by this server renders no static frames, as on Binder.
    env.pop("LOSSVIZ_STATIC_SLIDERS", None)
    subprocess.run([str(ROOT / "binder" / "postBuild")], env=env, check=True, capture_output=True)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.getuid() == 0 else [])
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((home / "server.log").read_text())
                time.sleep(0.5)
        # A workspace per chapter: JupyterLab restores a workspace's open notebooks, and a
        # chapter opened after another would share the page with it.
        yield f"{base}lab/workspaces/{{chapter}}/tree/book/{{chapter}}.md?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def open_notebook(page, url: str) -> None:
    """Open a chapter and wait until its kernel is idle."""
    page.goto(url)
    page.locator(".jp-Notebook .jp-MarkdownCell").first.wait_for(timeout=120_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)


def run_all(page) -> None:
    """Run > Run All Cells, once the notebook has the focus (before that the command is off)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    first_prompt = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").first
    for _ in range(3):
        # The first visible cell: a chapter's first cell may be only its label, drawn empty.
        page.locator(".jp-Notebook .jp-Cell").filter(visible=True).first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function("p => p.textContent !== '[ ]:'", arg=first_prompt.element_handle(), timeout=15_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise RuntimeError("Run All Cells did not start the notebook")


def wait_until_run(page, timeout_ms: int = 180_000) -> None:
    """Wait until every code cell has an execution count."""
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]/.test(p.textContent.trim()));
        }""",
        timeout=timeout_ms,
    )
