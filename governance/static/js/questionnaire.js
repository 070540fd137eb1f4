// Answers are saved one by one as they are given. Each waits in this phone's storage until the
// server has confirmed that very answer (its reply names the question and the answer's key), so
// nothing is lost when the connection drops or the session ends: a redirect, a 400, 401 or 403
// keeps every answer on the phone and says what to do. The queue belongs to the person who wrote
// it: another person signed in on the same phone neither sees nor sends it.
const form = document.querySelector("form[data-autosave]");
if (form) {
  const url = form.dataset.autosave;
  const storeKey = `tablee-visit-${form.dataset.visit}-p${form.dataset.person}`;
  const csrf = form.querySelector("[name=csrf_token]").value;
  const note = document.querySelector("[data-offline-note]");
  const loginNote = document.querySelector("[data-login-note]");
  const stuckNote = document.querySelector("[data-stuck-note]");
  const label = (state) => form.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`];
  const load = () => JSON.parse(localStorage.getItem(storeKey) || "[]");
  const store = (queue) =>
    queue.length ? localStorage.setItem(storeKey, JSON.stringify(queue)) : localStorage.removeItem(storeKey);
  const newKey = () =>
    window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  const counted = (one, many, count) => (count === 1 ? one : many).replace("__N__", String(count));

  // A queue kept by an earlier version of this page (not yet bound to a person) is adopted by
  // the binôme member who opens the visit; the server still checks who may answer.
  const legacyKey = `tablee-visit-${form.dataset.visit}`;
  const legacy = localStorage.getItem(legacyKey);
  if (legacy) {
    const mine = load();
    const adopted = JSON.parse(legacy).filter((item) => !mine.some((m) => m.question === item.question));
    store([...adopted, ...mine]);
    localStorage.removeItem(legacyKey);
  }

  function mark(question, state, text) {
    const status = form.querySelector(`[data-status-for="${question}"]`);
    if (status) {
      status.dataset.state = state;
      status.textContent = text || label(state);
    }
  }

  function show(element, text) {
    if (!element) return;
    element.hidden = !text;
    const place = element.querySelector("[data-text]");
    if (place && text) place.textContent = text;
  }

  // The server did not take the answers (session ended, page expired, no longer allowed): they
  // stay on the phone, and the person is told how to send them.
  function stuck(response, body) {
    const count = load().length;
    if (response.status === 401) {
      const link = loginNote && loginNote.querySelector("a");
      if (link && body.login) link.href = body.login;
      show(loginNote, counted(loginNote.dataset.one, loginNote.dataset.many, count));
    } else {
      show(stuckNote, counted(stuckNote.dataset.one, stuckNote.dataset.many, count));
    }
  }

  let sending = false;
  let unreachable = false; // the last attempt failed for want of a network
  // Sends the oldest waiting answer until none is left; answers given meanwhile join the
  // queue and are sent by the same loop. Stops at the first failure, keeping everything.
  async function flush() {
    if (sending) return;
    sending = true;
    try {
      for (let item = load()[0]; item; item = load()[0]) {
        let response;
        try {
          response = await fetch(url, {
            method: "POST",
            headers: {
              "X-CSRFToken": csrf,
              Accept: "application/json",
              "X-Tablee-Page": window.location.pathname,
            },
            body: new URLSearchParams(item),
            redirect: "manual",
            credentials: "same-origin",
          });
          unreachable = false;
        } catch (error) {
          unreachable = true;
          break; // offline: keep everything, try again when the connection returns
        }
        if (response.status >= 500) break; // the server failed: try again later
        const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
        const body = json ? await response.json().catch(() => ({})) : {};
        const confirmed =
          body.question === item.question &&
          body.key === item.key &&
          (response.ok || response.status === 422);
        if (!confirmed) {
          stuck(response, body);
          break;
        }
        show(loginNote, "");
        show(stuckNote, "");
        store(load().filter((waiting) => waiting.key !== item.key));
        const newer = load().some((waiting) => waiting.question === item.question);
        if (newer) continue; // a later answer to the same question is on its way
        if (response.ok) mark(item.question, "sent", `${label("sent")} — ${body.by || ""}`);
        else mark(item.question, "refused", body.error || label("refused"));
      }
    } finally {
      sending = false;
      if (note) note.hidden = navigator.onLine && !(unreachable && load().length);
    }
  }

  function remember(question, value) {
    const queue = load().filter((item) => item.question !== question);
    queue.push({ question, value, key: newKey(), at: String(Date.now()) });
    store(queue);
    mark(question, "pending");
    flush();
  }

  // What this phone still holds goes back into the form, then is sent again.
  for (const item of load()) {
    const field = form.elements[item.question];
    if (field && field.length !== undefined && field[0] && field[0].type === "radio") {
      for (const radio of field) radio.checked = radio.value === item.value;
    } else if (field) {
      field.value = item.value;
    }
    mark(item.question, "pending");
  }

  const timers = {};
  form.addEventListener("change", (event) => {
    const field = event.target;
    if (field.name && field.name !== "csrf_token") remember(field.name, field.value);
  });
  form.addEventListener("input", (event) => {
    const field = event.target;
    if (field.tagName !== "TEXTAREA") return;
    clearTimeout(timers[field.name]);
    timers[field.name] = setTimeout(() => remember(field.name, field.value), 800);
  });
  form.addEventListener("submit", (event) => {
    if (!navigator.onLine) {
      event.preventDefault();
      if (note) note.hidden = false;
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => { if (note) note.hidden = false; });
  setInterval(() => { if (load().length) flush(); }, 30_000);
  flush();
}
