"""The book's figures, tables and slider setups, one module per chapter.

A chapter keeps the story and the code a student should read; what only draws
lives here, where it is formatted, tested and checked for copies, and where the
slides can reuse it. A chapter calls each figure in one line, for example::

    from lossviz.figures import focal_gamma as figures
    figures.gamma_curves()

Each figure function returns what Jupyter displays: a
:class:`matplotlib.figure.Figure` (made without pyplot, so that it is shown once),
a :class:`lossviz.sliders.SliderFigure`, or an :class:`IPython.display.HTML` table.
What several chapters share (tables; the semantic colours and
:func:`lossviz.plotting.shade`; :meth:`lossviz.sliders.Slider.index`, the one
place a slider value becomes a frame) lives in :mod:`lossviz.figures.common`,
:mod:`lossviz.plotting` and :mod:`lossviz.sliders`.
"""
