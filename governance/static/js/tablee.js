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

// The live room and the console. The status region is polled by htmx from its own URL; it
// carries the key of what the parts below show (data-part-key). When that key changes, the
// parts are fetched again — unless the person is busy in them: a form they changed and have not
// sent, a field they are in, or a notice they must read first. Then the parts wait; if the round
// under their form closed meanwhile, they are told so beside it, with what they wrote kept.
// <details> they opened or closed stay as they left them (the others follow the page).
function busyForm(part) {
  const active = document.activeElement;
  const typing = active && part.contains(active) && active.matches("input, textarea, select");
  return typing || part.querySelector("form[data-keep][data-dirty], [data-hold]");
}

function tellRoundClosed(part, status) {
  const mine = part.querySelector("[data-round]");
  if (!mine || mine.dataset.round === status.dataset.round) {
    return;
  }
  const notice = mine.querySelector("[data-round-closed]");
  if (notice && notice.hidden) {
    notice.hidden = false;
    for (const button of mine.querySelectorAll("form button[type=submit]")) {
      button.disabled = true;
    }
  }
}

async function refreshPart(part) {
  if (part.dataset.loading) {
    return;
  }
  part.dataset.loading = "1";
  try {
    const response = await fetch(part.dataset.src, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok || response.redirected) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const fresh = template.content.querySelector("[data-live-part]");
    if (!fresh || !part.isConnected || busyForm(part)) {
      return;
    }
    for (const details of part.querySelectorAll("details[id][data-touched]")) {
      const again = fresh.querySelector(`details[id="${CSS.escape(details.id)}"]`);
      if (again) {
        again.open = details.open;
        again.dataset.touched = "1";
      }
    }
    part.replaceWith(fresh);
    htmx.process(fresh);
  } finally {
    delete part.dataset.loading;
  }
}

function followStatus() {
  const status = document.querySelector("[data-live-status]");
  if (!status) {
    return;
  }
  for (const part of document.querySelectorAll("[data-live-part]")) {
    if (part.dataset.key === status.dataset.partKey) {
      continue;
    }
    if (busyForm(part)) {
      tellRoundClosed(part, status);
    } else {
      refreshPart(part);
    }
  }
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-keep]");
  if (form) {
    form.dataset.dirty = "1";
  }
});
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-keep]");
  if (form) {
    form.dataset.dirty = "1";
  }
});
document.addEventListener("click", (event) => {
  const summary = event.target.closest("details[id] > summary");
  if (summary) {
    summary.parentElement.dataset.touched = "1";
  }
  const button = event.target.closest("[data-show-news]");
  if (!button) {
    return;
  }
  const part = button.closest("[data-live-part]");
  for (const held of part.querySelectorAll("form[data-keep][data-dirty], [data-hold]")) {
    delete held.dataset.dirty;
    held.removeAttribute("data-hold");
  }
  document.activeElement?.blur();
  refreshPart(part);
});
// After every poll (the browser turns a 304 into the cached status, swapped again) and after a
// person's own form came back from the server.
document.addEventListener("htmx:afterSettle", followStatus);

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
      const queued = ["tablee-visit-", "tablee-photos-", "tablee-send-"].some((start) => key.startsWith(start));
      if (queued && key.endsWith(suffix)) {
        count += JSON.parse(localStorage.getItem(key) || "[]").length;
      }
    }
  } catch (error) {
    return; // no storage on this phone: nothing can be waiting
  }
  const text = (count === 1 ? form.dataset.unsentOne : form.dataset.unsentMany || "").replace("__N__", String(count));
  if (count && !window.confirm(text)) {
    event.preventDefault();
    return;
  }
  // The visits' screens kept for use without network (visit-worker.js) are this person's.
  if (window.caches) caches.delete("tablee-visits");
});
