// Small behaviours only; every form works without this file.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// After an htmx swap that brought errors, move the focus to their summary for screen readers.
document.addEventListener("htmx:afterSwap", (event) => {
  const summary = event.detail.target.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
