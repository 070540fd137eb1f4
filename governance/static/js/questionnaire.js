// A visit on a phone, with or without signal. Answers are saved one by one as they are given,
// photos are reduced on the phone, and the questionnaire's sending waits for both. Each waits in
// this phone's storage until the server has confirmed that very item (its reply names the
// question, or the key of the photo or sending), so nothing is lost when the connection drops or
// the session ends: a redirect, a 400, 401 or 403 keeps everything on the phone and says what to
// do. The queues belong to the person who wrote them: another person signed in on the same phone
// neither sees nor sends them. Once the visit is opened with signal, its screens are kept on the
// phone (visit-worker.js), so that "Next screen" works without network too.
const root = document.querySelector("[data-visit-offline]");
if (root) {
  const form = document.querySelector("form[data-autosave]");
  const visit = root.dataset.visit;
  const person = root.dataset.person;
  const storeKey = `tablee-visit-${visit}-p${person}`;
  const photoKey = `tablee-photos-${visit}-p${person}`;
  const sendKey = `tablee-send-${visit}-p${person}`;
  const csrf = document.querySelector("[name=csrf_token]").value;
  const note = document.querySelector("[data-offline-note]");
  const loginNote = document.querySelector("[data-login-note]");
  const stuckNote = document.querySelector("[data-stuck-note]");
  const pendingNote = document.querySelector("[data-pending]");
  const readyNote = document.querySelector("[data-offline-ready]");
  const label = (state) => root.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`];
  const read = (key) => JSON.parse(localStorage.getItem(key) || "[]");
  const write = (key, queue) =>
    queue.length ? localStorage.setItem(key, JSON.stringify(queue)) : localStorage.removeItem(key);
  const load = () => read(storeKey);
  const store = (queue) => write(storeKey, queue);
  const newKey = () =>
    window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  const counted = (one, many, count) => (count === 1 ? one : many).replace("__N__", String(count));
  const waiting = () => load().length + read(photoKey).length + read(sendKey).length;

  // A queue kept by an earlier version of this page (not yet bound to a person) is adopted by
  // the binôme member who opens the visit; the server still checks who may answer.
  const legacyKey = `tablee-visit-${visit}`;
  const legacy = localStorage.getItem(legacyKey);
  if (legacy) {
    const mine = load();
    const adopted = JSON.parse(legacy).filter((item) => !mine.some((m) => m.question === item.question));
    store([...adopted, ...mine]);
    localStorage.removeItem(legacyKey);
  }

  function mark(question, state, text) {
    const status = document.querySelector(`[data-status-for="${question}"]`);
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

  function count() {
    const n = waiting();
    if (pendingNote) show(pendingNote, n ? counted(pendingNote.dataset.one, pendingNote.dataset.many, n) : "");
  }

  // The server did not take what was sent (session ended, page expired, no longer allowed):
  // everything stays on the phone, and the person is told how to send it.
  function stuck(response, body) {
    const n = waiting();
    if (response.status === 401) {
      const link = loginNote && loginNote.querySelector("a");
      if (link && body.login) link.href = body.login;
      show(loginNote, counted(loginNote.dataset.one, loginNote.dataset.many, n));
    } else {
      show(stuckNote, counted(stuckNote.dataset.one, stuckNote.dataset.many, n));
    }
  }

  // One item to the server; the reply (JSON) if it came, null when the network failed.
  async function post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json", "X-Tablee-Page": window.location.pathname },
        body,
        redirect: "manual",
        credentials: "same-origin",
      });
    } catch (error) {
      return null;
    }
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    const data = json ? await response.json().catch(() => ({})) : {};
    return { response, data };
  }

  let sending = false;
  let unreachable = false; // the last attempt failed for want of a network
  // Sends the oldest waiting answer until none is left (answers given meanwhile join the queue
  // and are sent by the same loop), then the photos, then the questionnaire's sending. Stops at
  // the first failure, keeping everything.
  async function flush() {
    if (sending) return;
    if (!navigator.onLine) {
      // The phone knows it has no network: nothing is tried (it would fail, or, behind the
      // visit's service worker, leave by a path the browser's offline state does not cover);
      // the "online" event sends everything.
      unreachable = waiting() > 0;
      if (note) note.hidden = false;
      count();
      return;
    }
    sending = true;
    try {
      unreachable = false;
      if ((await flushAnswers()) && (await flushPhotos())) await flushSending();
    } finally {
      sending = false;
      if (note) note.hidden = navigator.onLine && !(unreachable && waiting());
      count();
    }
  }

  // Whether the item was settled (confirmed or refused by name); false stops the loop.
  function settled(reply, key, extra) {
    if (reply === null) {
      unreachable = true;
      return false;
    }
    const { response, data } = reply;
    if (response.status >= 500) return false; // the server failed: try again later
    const confirmed = data.key === key && extra(data) && (response.ok || response.status === 422);
    if (!confirmed) {
      stuck(response, data);
      return false;
    }
    show(loginNote, "");
    show(stuckNote, "");
    return true;
  }

  async function flushAnswers() {
    for (let item = load()[0]; item; item = load()[0]) {
      const reply = await post(root.dataset.answerUrl, new URLSearchParams(item));
      if (!settled(reply, item.key, (data) => data.question === item.question)) return false;
      store(load().filter((other) => other.key !== item.key));
      if (load().some((other) => other.question === item.question)) continue; // a later answer
      if (reply.response.ok) mark(item.question, "sent", `${label("sent")} — ${reply.data.by || ""}`);
      else mark(item.question, "refused", reply.data.error || label("refused"));
    }
    return true;
  }

  function blob(dataUrl) {
    const [head, data] = dataUrl.split(",");
    const bytes = atob(data);
    const array = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 1) array[i] = bytes.charCodeAt(i);
    return new Blob([array], { type: head.slice(5).split(";")[0] });
  }

  async function flushPhotos() {
    for (let item = read(photoKey)[0]; item; item = read(photoKey)[0]) {
      const body = new FormData();
      body.append("csrf_token", csrf);
      body.append("key", item.key);
      body.append("photo", blob(item.data), item.name);
      const reply = await post(root.dataset.photoUrl, body);
      if (!settled(reply, item.key, () => true)) return false;
      write(photoKey, read(photoKey).filter((other) => other.key !== item.key));
      const shown = document.querySelector(`[data-photo="${item.key}"]`);
      if (shown) {
        const status = shown.querySelector("[data-photo-status]");
        status.textContent = reply.response.ok ? label("sent") : reply.data.error || label("refused");
        shown.dataset.state = reply.response.ok ? "sent" : "refused";
      }
    }
    return true;
  }

  async function flushSending() {
    const item = read(sendKey)[0];
    if (!item) return;
    const reply = await post(root.dataset.submitUrl, new URLSearchParams({ ...item, csrf_token: csrf }));
    if (!settled(reply, item.key, () => true)) return;
    write(sendKey, []);
    const refused = document.querySelector("[data-send-refused]");
    if (reply.response.ok && reply.data.sent) {
      window.location.assign(reply.data.report);
    } else {
      show(refused, reply.data.error || label("refused"));
    }
  }

  // --- the questionnaire's screens --------------------------------------------------------
  if (form) {
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

    const remember = (question, value) => {
      const queue = load().filter((item) => item.question !== question);
      queue.push({ question, value, key: newKey(), at: String(Date.now()) });
      store(queue);
      mark(question, "pending");
      count();
      flush();
    };
    const timers = {};
    const typed = (field) => {
      clearTimeout(timers[field.name]);
      delete timers[field.name];
      remember(field.name, field.value);
    };
    form.addEventListener("change", (event) => {
      const field = event.target;
      if (field.name && field.name !== "csrf_token") remember(field.name, field.value);
    });
    form.addEventListener("input", (event) => {
      const field = event.target;
      if (field.tagName !== "TEXTAREA") return;
      clearTimeout(timers[field.name]);
      timers[field.name] = setTimeout(() => typed(field), 800);
    });
    // Without network the next (or previous) screen is the one kept on the phone; the answers
    // of this one are already queued.
    form.addEventListener("submit", (event) => {
      if (navigator.onLine) return;
      event.preventDefault();
      for (const field of form.querySelectorAll("textarea")) if (timers[field.name]) typed(field);
      const back = event.submitter && event.submitter.value === "back";
      const target = back ? form.dataset.previous : form.dataset.next;
      if (target) window.location.assign(target);
    });
  }

  // --- photos, reduced on the phone ------------------------------------------------------
  const photoInput = document.querySelector("[data-photo-input]");
  const photoList = document.querySelector("[data-photo-list]");
  const photoError = document.querySelector("[data-photo-error]");

  function listPhoto(item) {
    if (!photoList) return;
    const entry = document.createElement("li");
    entry.dataset.photo = item.key;
    entry.dataset.state = "pending";
    if (item.data.startsWith("data:image/")) {
      const image = document.createElement("img");
      image.src = item.data;
      image.alt = item.name;
      entry.append(image);
    } else {
      entry.append(item.name, " ");
    }
    const status = document.createElement("span");
    status.dataset.photoStatus = "";
    status.textContent = label("pending");
    entry.append(status);
    photoList.append(entry);
  }

  async function reduce(file) {
    const most = Number(root.dataset.photoSide || 1280);
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, most / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.75);
  }

  // A document (PDF, spreadsheet) is sent as it is; the server says whether it is allowed.
  const asData = (file) =>
    new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });

  if (photoInput) {
    for (const item of read(photoKey)) listPhoto(item);
    const button = document.querySelector("[data-photo-send]");
    if (button) button.hidden = true; // each photo is kept as soon as it is chosen
    photoInput.addEventListener("change", async () => {
      show(photoError, "");
      for (const file of photoInput.files) {
        const image = file.type.startsWith("image/");
        const name = image ? `${file.name.replace(/\.[^.]*$/, "") || "photo"}.jpg` : file.name;
        let item;
        try {
          item = { key: newKey(), name, data: image ? await reduce(file) : await asData(file) };
        } catch (error) {
          show(photoError, root.dataset.photoUnreadable);
          continue;
        }
        try {
          write(photoKey, [...read(photoKey), item]);
        } catch (error) {
          show(photoError, root.dataset.photoFull); // the phone's storage is full
          continue;
        }
        listPhoto(item);
      }
      photoInput.value = "";
      count();
      flush();
    });
  }

  // --- sending the questionnaire ---------------------------------------------------------
  const submitForm = document.querySelector("form[data-queued-send]");
  if (submitForm) {
    const queued = read(sendKey)[0];
    if (queued) {
      for (const radio of submitForm.querySelectorAll("[name=band]")) radio.checked = radio.value === queued.band;
      submitForm.elements.opinion.value = queued.opinion;
    }
    submitForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const band = submitForm.querySelector("[name=band]:checked");
      show(document.querySelector("[data-send-refused]"), "");
      write(sendKey, [{ key: newKey(), band: band ? band.value : "", opinion: submitForm.elements.opinion.value }]);
      count();
      flush();
    });
  }

  // --- keeping the visit's screens on the phone ------------------------------------------
  if ("serviceWorker" in navigator && root.dataset.worker) {
    const scope = root.dataset.worker.replace(/[^/]*$/, "");
    navigator.serviceWorker
      .register(root.dataset.worker, { scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (!navigator.onLine) return;
        const assets = [...document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon][href]")]
          .map((element) => element.href || element.src)
          .filter((url) => url.startsWith(window.location.origin));
        const keep = [...root.dataset.keep.split(" ").filter(Boolean), ...assets];
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => {
          if (readyNote && event.data && event.data.kept === keep.length) readyNote.hidden = false;
        };
        registration.active.postMessage({ person, keep }, [channel.port2]);
      })
      .catch(() => {}); // no worker: the current screen still keeps its answers
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", () => { if (note) note.hidden = false; });
  setInterval(() => { if (waiting()) flush(); }, 30_000);
  count();
  flush();
}
