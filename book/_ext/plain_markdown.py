"""MyST markup as plain Markdown, for notebooks opened where MyST is not rendered.

Colab (and Jupyter without the ``jupyterlab-myst`` extension) shows a markdown cell's
MyST markup as it is written: roles such as ``{cite:t}`lin2017focal``` and
``{eval}`f"{x:.2f}"```, ``(label)=`` targets, exercise and solution directives. The
downloadable notebooks (``_sources/<chapter>.ipynb``, which Colab opens) are rewritten
with :func:`to_markdown`, which resolves what the book uses:

- ``{eval}`` roles become the text the build computed for them (``prose_eval``);
- ``{cite:t}`` / ``{cite:p}`` become "Lin et al. (2017)" / "(Lin et al., 2017)", and
  the ``{bibliography}`` directive the list of the works the notebook cites;
- ``{ref}``, ``{doc}`` and ``{numref}`` become their text (or the target's title);
- ``(label)=`` targets disappear;
- exercises become numbered paragraphs ("Exercise 2"), their solutions ``<details>``
  blocks that stay closed until clicked, as on the site;
- a ``{list-table}`` becomes a Markdown table, a ``{glossary}`` a definition list.

Anything else in braces is left as it is; ``tests/test_launch.py`` checks that no
chapter's downloaded notebook keeps a MyST role, target or directive.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pybtex.database import Entry, parse_file

ROLE = re.compile(r"\{(eval|cite:t|cite:p|ref|doc|numref)\}`([^`]*)`")
TARGET = re.compile(r"^\([\w:.-]+\)=[ \t]*\n", re.MULTILINE)
# A directive fenced with three or more backticks or colons, and its closing fence.
DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)
OPTION = re.compile(r"^:([\w-]+):[ \t]*(.*)$")
EXERCISE_LABEL = re.compile(r"\{exercise\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?:label:[ \t]*(\S+)")
EXPLICIT_TEXT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def _latex_free(text: str) -> str:
    """Bib fields as readers see them: {\\'a} -> á and the like, braces dropped."""
    accents = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303", "c": "\u0327"}
    letters = {"o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "ss": "ß", "l": "ł", "L": "Ł"}
    text = re.sub(
        r"\{?\\([\'`\"^~c])\{?\s*([A-Za-z])\}?\}?",
        lambda m: m.group(2) + accents[m.group(1)],
        text,
    )
    text = re.sub(r"\\(aa|AA|ae|AE|ss|o|O|l|L)(?![A-Za-z])\s*(\{\})?", lambda m: letters[m.group(1)], text)
    return unicodedata.normalize("NFC", re.sub(r"[{}]", "", text).replace("--", "–"))


@dataclass
class Bibliography:
    """The book's ``references.bib``, formatted as author–year citations."""

    entries: dict[str, Entry]

    @classmethod
    def read(cls, path: str) -> Bibliography:
        return cls(dict(parse_file(path).entries))

    def _authors(self, key: str) -> str:
        names = [_latex_free(" ".join(p.last_names)) for p in self.entries[key].persons.get("author", [])]
        if len(names) >= 3:
            return f"{names[0]} et al."
        return " and ".join(names) or _latex_free(self.entries[key].fields.get("title", key))

    def textual(self, key: str) -> str:
        return f"{self._authors(key)} ({self.entries[key].fields.get('year', 'n.d.')})"

    def parenthetical(self, key: str) -> str:
        return f"{self._authors(key)}, {self.entries[key].fields.get('year', 'n.d.')}"

    def reference(self, key: str) -> str:
        """One line of a reference list: authors (year). *Title*. Venue."""
        entry = self.entries[key]
        authors = ", ".join(
            _latex_free(" ".join(p.first_names + p.middle_names + p.last_names)) for p in entry.persons.get("author", [])
        )
        fields = {name: _latex_free(value) for name, value in entry.fields.items()}
        venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher") or fields.get("howpublished", "")
        link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
        parts = [f"{authors} ({fields.get('year', 'n.d.')}). *{fields.get('title', key)}*."]
        parts += [f"{venue}."] if venue else []
        parts += [f"<{link}>"] if link else []
        return " ".join(parts)


@dataclass
class Context:
    """What resolving a notebook's markup needs to know."""

    bibliography: Bibliography
    # expression -> the texts the build computed for its occurrences, in order
    evaluations: dict[str, list[str]] = field(default_factory=dict)
    # label or document name -> the title to show when a reference gives no text
    titles: Callable[[str], str | None] = lambda target: None
    cited: list[str] = field(default_factory=list)
    exercises: dict[str, int] = field(default_factory=dict)


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def _role(context: Context, match: re.Match[str]) -> str:
    name, text = match.group(1), match.group(2)
    if name == "eval":
        texts = context.evaluations.get(text)
        if not texts:
            raise ValueError(f"{{eval}}`{text}` has no computed text")
        return texts.pop(0)
    if name.startswith("cite"):
        keys = _keys(text)
        context.cited += [key for key in keys if key not in context.cited]
        bib = context.bibliography
        if name == "cite:t":
            return ", ".join(bib.textual(key) for key in keys)
        return "(" + "; ".join(bib.parenthetical(key) for key in keys) + ")"
    explicit = EXPLICIT_TEXT.match(text)
    if explicit:
        return explicit.group("text")
    if text in context.exercises:
        return f"Exercise {context.exercises[text]}"
    return context.titles(text.lstrip("/")) or text


def _options(body: str) -> tuple[dict[str, str], str]:
    options, lines = {}, body.splitlines()
    while lines and (option := OPTION.match(lines[0])):
        options[option.group(1)] = option.group(2).strip()
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


def _list_table(title: str, body: str) -> str:
    rows: list[list[str]] = []
    for line in body.splitlines():
        if line.startswith("* - "):
            rows.append([line[4:].strip()])
        elif line.startswith("  - "):
            rows[-1].append(line[4:].strip())
    header, *rest = rows
    table = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    table += [f"| {' | '.join(row)} |" for row in rest]
    return (f"**{title}**\n\n" if title else "") + "\n".join(table)


def _glossary(body: str) -> str:
    out = []
    for line in body.splitlines():
        if line and not line.startswith(" "):
            out.append(f"\n**{line.strip()}**")
        elif line.strip():
            out.append(f": {line.strip()}" if out and out[-1].startswith("\n**") else line.strip())
    return "\n".join(out).strip()


def _directive(context: Context, match: re.Match[str]) -> str:
    name, argument = match.group("name"), match.group("argument").strip()
    options, body = _options(match.group("body"))
    body = _resolve(context, body)
    if name == "exercise":
        number = context.exercises[options["label"]]
        return f"**Exercise {number}**{f' ({argument})' if argument else ''}\n\n{body}\n"
    if name == "solution":
        number = context.exercises.get(argument)
        summary = f"Solution to Exercise {number}" if number else "Solution"
        return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>\n"
    if name == "bibliography":
        references = [context.bibliography.reference(key) for key in context.cited]
        return "\n".join(f"- {line}" for line in references) + "\n"
    if name == "list-table":
        return _list_table(argument, body) + "\n"
    if name == "glossary":
        return _glossary(body) + "\n"
    if name in {"note", "tip", "important", "warning", "admonition", "margin", "div", "epigraph"}:
        title = argument if name in {"admonition", "margin"} else name.capitalize()
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
        return (f"> **{title}**\n>\n" if title and name != "div" else "") + quoted + "\n"
    return match.group(0)


def _resolve(context: Context, markdown: str) -> str:
    markdown = TARGET.sub("", markdown)
    markdown = DIRECTIVE.sub(lambda m: _directive(context, m), markdown)
    return ROLE.sub(lambda m: _role(context, m), markdown)


def to_markdown(cells: Iterator[str] | list[str], context: Context) -> list[str]:
    """Each markdown cell's source with the book's MyST markup resolved, in order.

    Exercise numbers and the cited works are collected across the cells, so the
    cells of one notebook are resolved together.
    """
    cells = list(cells)
    for source in cells:
        for label in EXERCISE_LABEL.findall(source):
            context.exercises[label] = len(context.exercises) + 1
    return [_resolve(context, source) for source in cells]
