// Small behaviours only; every page and form works without this file.
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

// Timers tick on the phone between two polls. They count from the server's own timestamps,
// corrected by the clock difference measured when the page was loaded, so a cached fragment
// swapped in again never makes the time jump back.
const serverNow = document.querySelector("[data-server-now]");
const skewMs = serverNow ? Number(serverNow.dataset.serverNow) * 1000 - Date.now() : 0;

function formatSeconds(seconds) {
  const whole = Math.abs(Math.trunc(seconds));
  const text = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  return seconds < 0 ? `+${text}` : text;
}

function tick() {
  for (const timer of document.querySelectorAll(".timer[data-timebox]")) {
    const since = timer.dataset.runningSince;
    const elapsed = since
      ? (Date.now() + skewMs) / 1000 - Number(since)
      : Number(timer.dataset.elapsed);
    const remaining = Number(timer.dataset.timebox) - elapsed;
    timer.querySelector(".timer-value").textContent = formatSeconds(remaining);
    timer.classList.toggle("over", remaining < 0);
  }
}
setInterval(tick, 1000);

// A wide table becomes cards on a phone: each cell is given its column's name to show.
for (const table of document.querySelectorAll("table.cards-on-phone")) {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (names[i] && cell.tagName === "TD" && !cell.hasAttribute("colspan")) {
        cell.dataset.label = names[i];
      }
    });
  }
  table.dataset.labelled = "";
}

// Removing something asks once. htmx asks through hx-confirm; without htmx, the form does.
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute("hx-confirm");
  if (question && !window.htmx && !window.confirm(question)) {
    event.preventDefault();
  }
});
