"""The book's plotting conventions: one style and one colour per loss family.

Figures are read on laptops and projected in lecture rooms, so the style favours
large type and thick lines over density.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.colors as mcolors

__all__ = ["BOOK_STYLE", "COLOURS", "LOSS_COLOURS", "shade", "use_book_style"]

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

# The same loss keeps the same colour in every chapter, and losses drawn together
# have distinct colours. Every colour keeps a contrast of at least 3:1 against
# white (WCAG 2.1's minimum for graphics, 1.4.11), so the palette takes the darker
# colours of Okabe and Ito's colour-blind-safe palette and darkens its light ones:
# MSE's orange (2.25:1) became a dark gold; L1's yellow (1.32:1) became the wine,
# and Dice's sky blue (2.31:1) the teal, of Paul Tol's "muted" palette, which is
# also designed to stay distinct under colour blindness.
LOSS_COLOURS: dict[str, str] = {
    "ce": "#0072B2",
    "mse": "#B07A00",
    "focal": "#D55E00",
    "alpha_ce": "#009E73",
    "ghm": "#CC79A7",
    "dice": "#00838F",
    "l1": "#882255",
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


# What a colour means when it stands for a kind of thing rather than a loss: chapters
# take their colours from here or from LOSS_COLOURS, never as literals, so that one
# meaning keeps one colour across the book. Each has 3:1 contrast on white; for a
# background or a fill, lighten it with shade().
COLOURS: dict[str, str] = {
    # Something wrong: outliers, mislabelled or misclassified examples, a bad region.
    "error": "#C00000",
    # The positive class, a target box or mask, the true class.
    "positive": "#0072B2",
    "target": "#009E73",
    # The negative class, a predicted box.
    "negative": "#D55E00",
    "prediction": "#D55E00",
    # Easy and hard examples: the easy majority recedes, the hard few stand out.
    "easy": "#767676",
    "hard": "#B07A00",
    # Reference curves, guides and annotations.
    "reference": "#444444",
}


def shade(colour: str, amount: float) -> tuple[float, float, float]:
    r"""``colour`` mixed with white (``amount > 0``) or black (``amount < 0``).

    .. math:: c' = c + a\,(1 - c) \ (a \ge 0), \qquad c' = (1 + a)\,c \ (a < 0)

    ``amount`` runs from -1 (black) through 0 (the colour) to 1 (white): a light
    shade fills a background band, a dark one draws the extreme of a family of
    curves.
    """
    if not -1.0 <= amount <= 1.0:
        raise ValueError(f"amount must lie in [-1, 1], got {amount}")
    rgb = mcolors.to_rgb(colour)
    if amount >= 0:
        return tuple(c + amount * (1.0 - c) for c in rgb)  # type: ignore[return-value]
    return tuple((1.0 + amount) * c for c in rgb)  # type: ignore[return-value]


def use_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib's global settings and, in Jupyter,
    show figures inline.

    The figure functions of :mod:`lossviz.figures` return a ``Figure``, which
    Jupyter shows as an image only once the inline backend has registered its
    display formatter; matplotlib selects a backend lazily, so without this a
    chapter that never calls pyplot would print ``<Figure ...>`` instead.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is not None and hasattr(shell, "enable_matplotlib"):
        # First: the inline backend may apply settings of its own.
        shell.enable_matplotlib("inline")
    mpl.rcParams.update(BOOK_STYLE)
