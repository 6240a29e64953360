// Small progressive enhancements; every page works without this file.
"use strict";

// Copy buttons: <button data-copy="#element-id" data-copied="…"
// data-copy-hint="…">. The element's value or text is copied; the button
// says so for a moment, in the page's language (the data attributes).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = "value" in source ? source.value : source.textContent;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text.trim());
    button.textContent = button.dataset.copied || "Copied";
  } catch {
    if ("select" in source) source.select();
    button.textContent = button.dataset.copyHint || "Press Ctrl+C to copy";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
});

// Tabs: a strip too wide for the screen scrolls sideways (app.css); bring
// the current tab into view in it, on load and after htmx swaps a page's
// tabs and panel. Only the strip scrolls, never the page: the strip's own
// scrollLeft, as scrollIntoView({block: "nearest", inline: "center"})
// would place it, without that call's scrolling of the page itself (htmx
// also swaps a bot's page every few seconds while one reads further down).
function showCurrentTabs() {
  document.querySelectorAll("nav.tabs").forEach((nav) => {
    const tab = nav.querySelector('[aria-current="page"]');
    if (!tab || nav.scrollWidth <= nav.clientWidth) return;
    const strip = nav.getBoundingClientRect(), box = tab.getBoundingClientRect();
    nav.scrollLeft += box.left - strip.left - (strip.width - box.width) / 2;
  });
}
showCurrentTabs();
document.addEventListener("htmx:afterSettle", showCurrentTabs);
