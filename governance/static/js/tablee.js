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

// Logging out with questionnaire answers still waiting on this phone: say so first. They stay
// bound to this person and are sent when they log in here again (see questionnaire.js).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-logout]");
  if (!form) return;
  let count = 0;
  try {
    const suffix = `-p${form.dataset.person}`;
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key.startsWith("tablee-visit-") && key.endsWith(suffix)) {
        count += JSON.parse(localStorage.getItem(key) || "[]").length;
      }
    }
  } catch (error) {
    return; // no storage on this phone: nothing can be waiting
  }
  const text = (count === 1 ? form.dataset.unsentOne : form.dataset.unsentMany || "").replace("__N__", String(count));
  if (count && !window.confirm(text)) event.preventDefault();
});
