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
