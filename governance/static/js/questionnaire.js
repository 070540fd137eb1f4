// Answers are saved one by one as they are given. Each waits in this phone's storage until
// the server has it, so nothing is lost when the connection drops: it leaves when it returns.
const form = document.querySelector("form[data-autosave]");
if (form) {
  const url = form.dataset.autosave;
  const storeKey = `tablee-visit-${form.dataset.visit}`;
  const csrf = form.querySelector("[name=csrf_token]").value;
  const note = document.querySelector("[data-offline-note]");
  const label = (state) => form.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`];
  const load = () => JSON.parse(localStorage.getItem(storeKey) || "[]");
  const store = (queue) => localStorage.setItem(storeKey, JSON.stringify(queue));
  const newKey = () =>
    window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;

  function mark(question, state, text) {
    const status = form.querySelector(`[data-status-for="${question}"]`);
    if (status) {
      status.dataset.state = state;
      status.textContent = text || label(state);
    }
  }

  let sending = false;
  // Sends the oldest waiting answer until none is left; answers given meanwhile join the
  // queue and are sent by the same loop. Stops at the first network failure.
  async function flush() {
    if (sending) return;
    sending = true;
    try {
      for (let item = load()[0]; item; item = load()[0]) {
        let response;
        try {
          response = await fetch(url, {
            method: "POST",
            headers: { "X-CSRFToken": csrf },
            body: new URLSearchParams(item),
          });
        } catch (error) {
          break; // offline: keep everything, try again when the connection returns
        }
        if (response.status >= 500) break;
        store(load().filter((waiting) => waiting.key !== item.key));
        const body = await response.json().catch(() => ({}));
        const newer = load().some((waiting) => waiting.question === item.question);
        if (newer) continue; // a later answer to the same question is on its way
        if (response.ok) mark(item.question, "sent", `${label("sent")} — ${body.by || ""}`);
        else mark(item.question, "refused", body.error || label("refused"));
      }
    } finally {
      sending = false;
      if (note) note.hidden = navigator.onLine && load().length === 0;
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
  flush();
}
