// Keeps a visit's screens on the phone once it is opened with signal, so that a binôme can go
// through every screen, reload a page and send the questionnaire on a farm without network. It
// only ever answers for pages of the visits (its scope): with a network, the server's page is
// used and kept; without one, the page kept last. What the person answers is never kept here:
// questionnaire.js holds it in the phone's storage until the server confirms it. Logging out
// empties this cache (tablee.js), so the next person on the phone does not see these pages.
const CACHE = "tablee-visits";
const PHOTO = /\/visites\/\d+\/photos\/\d+$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

const OWNER = "/__tablee-owner";

// The pages kept belong to the person they were kept for: another person, or no one signed in
// any more, and they are dropped.
async function owned(person) {
  let cache = await caches.open(CACHE);
  const owner = await cache.match(OWNER);
  if (owner && (await owner.text()) !== String(person)) {
    await caches.delete(CACHE);
    cache = await caches.open(CACHE);
  }
  await cache.put(OWNER, new Response(String(person)));
  return cache;
}

async function keep(urls, person) {
  const cache = await owned(person);
  let kept = 0;
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
      if (response.ok && !response.redirected) {
        await cache.put(url, response);
        kept += 1;
      }
    } catch (error) {
      // no network for this one: the others are kept all the same
    }
  }
  return kept;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.keep) {
    event.waitUntil(
      keep(data.keep, data.person).then((kept) => {
        if (event.ports[0]) event.ports[0].postMessage({ kept });
      }),
    );
  }
});

const PATIENCE_MS = 8000; // on a poor connection, the kept page rather than a long wait

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request.url, { ignoreVary: true });
  const fresh = fetch(request).then(async (response) => {
    if (response.redirected && new URL(response.url).pathname.startsWith("/connexion")) {
      await caches.delete(CACHE); // logged out: nothing of the visits stays here
    } else if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(request.url, response.clone());
    }
    return response;
  });
  if (!kept) return fresh;
  const late = new Promise((resolve) => setTimeout(() => resolve(kept), PATIENCE_MS));
  return Promise.race([fresh.catch(() => kept), late]);
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request.url, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request.url, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" || PHOTO.test(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(cacheFirst(request)); // a versioned file never changes
  }
});
