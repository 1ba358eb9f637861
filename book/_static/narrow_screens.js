// Phones: figures stay legible, and a box that scrolls sideways shows it (lossviz.css).
"use strict";

// The figures' smallest text (the legend, 12 pt at 100 dpi) is 17 px at natural size;
// below 65 % of it, text falls under 11 px. On a narrow screen such a figure scrolls
// rather than shrinks. Wider than the theme's sidebar breakpoint, the text column is at
// least 700 px and a figure scales to fit it: the whole figure in view matters more there
// than the last few pixels of its smallest text, and a desktop reader can zoom.
const LEGIBLE_SCALE = 0.65;
const NARROW = window.matchMedia("(max-width: 959.98px)");
const SCROLLERS = [
  ".pst-scrollable-table-container",
  "div.math mjx-container",
  "span.math",
  "div.cell_output",
  "figure.lossviz-slider",
].join(", ");

function keepLegible(img) {
  img.style.minWidth = NARROW.matches && img.naturalWidth ? `${Math.round(img.naturalWidth * LEGIBLE_SCALE)}px` : "";
}

function keepAllLegible() {
  document.querySelectorAll("div.cell_output img").forEach(keepLegible);
  showAllScrollCues();
}

function showScrollCue(box) {
  const hidden = box.scrollWidth - box.clientWidth;
  // A keyboard reader scrolls a box with the arrow keys once it has the focus.
  if (hidden > 1 && !box.hasAttribute("tabindex")) box.tabIndex = 0;
  box.classList.toggle("lossviz-more-left", hidden > 1 && box.scrollLeft > 1);
  box.classList.toggle("lossviz-more-right", hidden > 1 && box.scrollLeft < hidden - 1);
}

function showAllScrollCues() {
  document.querySelectorAll(SCROLLERS).forEach(showScrollCue);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll("div.cell_output img")) {
    if (img.complete && img.naturalWidth) keepLegible(img);
    img.addEventListener("load", () => keepLegible(img));
  }
  // Scroll events do not bubble; capturing them at the document sees every box's.
  document.addEventListener("scroll", (event) => {
    if (event.target instanceof Element && event.target.matches(SCROLLERS)) showScrollCue(event.target);
  }, { capture: true, passive: true });
  window.addEventListener("resize", showAllScrollCues);
  NARROW.addEventListener("change", keepAllLegible);
  window.addEventListener("load", showAllScrollCues);
  // Formulas get their width only once MathJax has typeset them.
  window.MathJax?.startup?.promise?.then(showAllScrollCues);
});
