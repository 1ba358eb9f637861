"""Regenerate book/_static/fonts/lossviz-cjk.woff2: the CJK glyphs the book uses, and no others.

A lab machine without a CJK font showed the glossary's Chinese terms as empty boxes,
and offline it cannot fetch one; the whole Noto Sans CJK SC is 16 MB, the glyphs the
book uses a few dozen KB. Run `make cjk-font` after adding a Chinese character to a
page (tests/test_site.py fails until then: the character falls back to another font).

    python book/_ext/cjk_font.py [--font NotoSansCJK-Regular.ttc]

The source font is Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`, or without
installing it: `apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb x` and
pass `--font x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`). Writing woff2
needs `brotli` besides fontTools (`pip install brotli`). Licence: SIL OFL 1.1, in
book/_static/fonts/OFL.txt next to the subset.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "book" / "_static" / "fonts"
DEBIAN_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# In NotoSansCJK-Regular.ttc the faces are JP, KR, SC, TC, HK: the glossary's terms are
# Simplified Chinese, whose glyph shapes differ from the Japanese and Traditional ones.
SIMPLIFIED_CHINESE = 2
# CJK symbols and punctuation, unified ideographs (and extension A), full-width forms.
# fonts/lossviz-cjk.css declares the same ranges as the font's unicode-range.
CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def characters_used() -> str:
    """Every CJK character of the book's pages, sorted."""
    pages = [*(ROOT / "book").glob("*.md"), ROOT / "_toc.yml"]
    return "".join(sorted({c for page in pages for c in CJK.findall(page.read_text(encoding="utf-8"))}))


def main() -> None:
    from fontTools import subset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, default=DEBIAN_FONT, help="NotoSansCJK-Regular.ttc")
    font = parser.parse_args().font
    text = characters_used()
    FONTS.mkdir(parents=True, exist_ok=True)
    out = FONTS / "lossviz-cjk.woff2"
    subset.main(
        [
            str(font),
            f"--font-number={SIMPLIFIED_CHINESE}",
            f"--text={text}",
            "--flavor=woff2",
            # Keep the copyright, licence and trademark records the OFL asks for.
            "--name-IDs=*",
            "--layout-features=*",
            f"--output-file={out}",
        ]
    )
    print(f"{out.relative_to(ROOT)}: {len(text)} characters, {out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
