"""The book's plotting conventions: one style and one colour per loss family.

Figures are read on laptops and projected in lecture rooms, so the style favours
large type and thick lines over density.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["BOOK_STYLE", "LOSS_COLOURS", "use_book_style"]

BOOK_STYLE: dict[str, object] = {
    "figure.figsize": (9.0, 4.5),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 12,
    "lines.linewidth": 2.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# The same loss keeps the same colour in every chapter (colour-blind-safe Okabe–Ito palette).
# Losses that are drawn together (the box losses; the margin losses) have distinct
# colours. Colours added after the first eight keep a contrast of at least 3:1
# against white (WCAG's minimum for graphics), so they use only the darker
# Okabe–Ito colours plus indigo and olive from Paul Tol's "muted" palette, which
# is also designed to stay distinct under colour blindness.
LOSS_COLOURS: dict[str, str] = {
    "ce": "#0072B2",
    "mse": "#E69F00",
    "focal": "#D55E00",
    "alpha_ce": "#009E73",
    "ghm": "#CC79A7",
    "dice": "#56B4E9",
    "l1": "#F0E442",
    "other": "#000000",
    # Box regression (lossviz.boxes).
    "iou": "#000000",
    "giou": "#999933",
    "diou": "#332288",
    "ciou": "#009E73",
    "eiou": "#0072B2",
    "focal_eiou": "#D55E00",
    "siou": "#CC79A7",
    # Margin losses (lossviz.margin). The logistic loss is binary cross-entropy
    # of the logit, so it keeps cross-entropy's colour.
    "zero_one": "#000000",
    "hinge": "#009E73",
    "squared_hinge": "#332288",
    "logistic": "#0072B2",
    "exponential": "#D55E00",
    "modified_huber": "#CC79A7",
    "brier": "#999933",
}


def use_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib's global settings."""
    mpl.rcParams.update(BOOK_STYLE)
