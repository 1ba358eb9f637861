"""Teaching set-up: launch links (Binder, Colab), downloads, and the Colab install cell.

Binder and Colab need the internet, so these tests check what the site hands them:
the links built from the one repository URL in _config.yml, the files they open, and
the first cell of the downloaded notebook, which installs lossviz where it is missing
(book/_ext/notebook_downloads.py writes it from that same URL; no chapter names it).
The last test opens a chapter in headless Chromium and checks the launch buttons are
plain links that load nothing from another host.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from _browser import offline_page, serve
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"]["branch"]
LAUNCH = CONFIG["launch_buttons"]
COLAB_BRANCH = CONFIG["sphinx"]["config"]["colab_notebook_branch"]

FRONT_MATTER = re.compile(r"---\n.*?\n---\n", re.DOTALL)


def notebook_chapters() -> list[str]:
    """Docnames in _toc.yml whose source is a MyST notebook (front matter with a kernelspec)."""
    names = []
    for docname in parse_toc_yaml(ROOT / "_toc.yml"):
        source = ROOT / f"{docname}.md"
        front = FRONT_MATTER.match(source.read_text()) if source.is_file() else None
        if front and "kernelspec" in front.group(0):
            names.append(docname)
    return names


CHAPTERS = notebook_chapters()


def built(docname: str) -> str:
    page = HTML / f"{docname}.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: build the book first with `make book`.")
    return page.read_text()


def test_the_repository_is_a_github_url():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPOSITORY), REPOSITORY


def test_every_local_extension_is_loaded():
    # _config.yml's `extensions` list replaces Jupyter Book's, so a local extension
    # missing from it is silently never loaded.
    sphinx = CONFIG["sphinx"]
    assert set(sphinx["local_extensions"]) <= set(sphinx["config"]["extensions"])


def test_there_are_notebook_chapters():
    assert len(CHAPTERS) >= 10, CHAPTERS


def test_the_repository_is_named_once():
    """Only _config.yml names the repository; everything else derives it from there."""
    sources = [ROOT / "_config.yml", *ROOT.glob("book/**/*.md"), *ROOT.glob("book/_ext/**/*.py"), *ROOT.glob("binder/*")]
    naming = [path.relative_to(ROOT) for path in sources if path.is_file() and REPOSITORY in path.read_text()]
    assert naming == [Path("_config.yml")], naming


# Reads the built site, like the browser tests: `make unit` leaves it out.
@pytest.mark.browser
@pytest.mark.parametrize("docname", CHAPTERS)
def test_launch_links_and_downloads(docname):
    page = built(docname)
    org_repo = REPOSITORY.removeprefix("https://github.com/")
    ui = {"jupyterlab": "lab/tree", "classic": "tree"}[LAUNCH.get("notebook_interface", "classic")]
    binder = f"{LAUNCH['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{BRANCH}?urlpath={ui}/{docname}.md"
    colab = f"{LAUNCH['colab_url'].rstrip('/')}/github/{org_repo}/blob/{COLAB_BRANCH}/_sources/{docname}.ipynb"
    hrefs = re.findall(r'<a href="([^"]+)"', page)
    assert binder in hrefs, f"no Binder link {binder}"
    assert colab in hrefs, f"no Colab link {colab} (Colab opens only .ipynb)"
    depth = "../" * docname.count("/")
    for suffix in (".ipynb", ".md"):
        assert f"{depth}_sources/{docname}{suffix}" in hrefs, f"no {suffix} download"
        assert (HTML / "_sources" / f"{docname}{suffix}").is_file()
    assert "git+https://" not in page


# Reads the built site, like the browser tests: `make unit` leaves it out.
@pytest.mark.browser
@pytest.mark.parametrize("docname", CHAPTERS)
def test_downloaded_notebook_opens_with_the_install_cell(docname):
    """The .ipynb download (and what Colab opens) is the executed chapter, install cell first."""
    notebook = json.loads((HTML / "_sources" / f"{docname}.ipynb").read_text())
    first = "".join(notebook["cells"][0]["source"])
    assert notebook["cells"][0]["cell_type"] == "code"
    assert f'%pip install --quiet "lossviz @ git+{REPOSITORY}"' in first
    assert first.count("import lossviz") == 1 and "except ImportError:" in first
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert any(cell.get("outputs") for cell in notebook["cells"]), "the notebook was not executed"
    # Colab renders no MyST: the prose is plain Markdown (book/_ext/plain_markdown.py).
    prose = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert not re.findall(r"\{[\w:-]+\}`|^[`:]{3,}\{|^\([\w:.-]+\)=", prose, re.MULTILINE)
    assert not [cell for cell in notebook["cells"] if cell["metadata"].get("lossviz-eval")]
    exercises = (ROOT / f"{docname}.md").read_text().count("{exercise}")
    assert prose.count("<summary>Solution to Exercise") == exercises
    # Slider figures are one picture each, not every build-time frame (book/_ext/notebook_downloads.py).
    outputs = [output.get("data", {}) for cell in notebook["cells"] for output in cell.get("outputs", [])]
    assert not [data for data in outputs if "lossviz-slider" in "".join(data.get("text/html", ""))]
    sliders = (ROOT / f"{docname}.md").read_text().count("slider_figure(")
    pictures = [data for data in outputs if "SliderFigure(" in "".join(data.get("text/plain", ""))]
    assert len(pictures) >= min(sliders, 1) and all("image/png" in data for data in pictures)


# Reads the built site, like the browser tests: `make unit` leaves it out.
@pytest.mark.browser
def test_no_page_names_a_script_or_stylesheet_on_another_host():
    """Launch buttons are links; nothing the browser fetches by itself points off the site."""
    offenders = []
    for page in HTML.rglob("*.html"):
        for tag, url in re.findall(r'<(script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', page.read_text()):
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
                offenders.append(f"{page.relative_to(HTML)}: <{tag}> {url}")
    assert not offenders, offenders


@pytest.mark.browser
def test_launch_buttons_are_plain_links_in_the_browser(browser):
    """Open the launch menu of a chapter in Chromium: Binder and Colab are <a> links, Live
    Code a button (tests/test_live_code.py presses it), the .ipynb download is served by
    the site, and no request leaves 127.0.0.1."""
    docname = CHAPTERS[0]
    built(docname)
    with serve(HTML) as site:
        page, log = offline_page(browser)
        try:
            page.goto(f"{site}{docname}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            page.locator(".dropdown-launch-buttons > button").click()
            links = page.locator(".dropdown-launch-buttons a.dropdown-item")
            assert links.count() == 2
            hrefs = sorted(links.evaluate_all("as => as.map(a => a.href)"))
            assert hrefs[0].startswith(LAUNCH["colab_url"]) and hrefs[1].startswith(LAUNCH["binderhub_url"]), hrefs
            assert links.first.is_visible()
            assert page.get_by_role("button", name="Live Code").is_visible() is LAUNCH["thebe"]
            ipynb = page.locator("a.btn-download-notebook-button").get_attribute("href")
            response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + ipynb)
            assert response.ok and json.loads(response.body())["cells"]
        finally:
            page.context.close()
    log.assert_clean()
