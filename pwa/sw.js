// The service worker. The server prepends SHELL_VERSION and SHELL_URLS (a hash of the shell files
// and their URLs), so every change to the app gives a new worker that installs beside the old one.
//
// - install: precache the whole shell into a cache named after the version (bypassing HTTP caches);
// - activate: delete older shell caches (never IndexedDB, where the outbox lives) and take control;
// - fetch: the shell page and its files come from the cache first, so the app opens with no
//   network; every API call and write goes to the network untouched (the outbox handles offline).
// The new worker waits until the page asks it to take over (SKIP_WAITING), after the operator
// tapped "Update now", so an update never interrupts a scan in hand.

/* global SHELL_VERSION, SHELL_URLS */
const CACHE = `wms-shell-${SHELL_VERSION}`;
const SHELL_PATHS = new Set(SHELL_URLS);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL_URLS.map((url) => new Request(url, { cache: 'reload' })));
    // The very first install has no older worker to wait for: take over at once.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('wms-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'VERSION' && event.ports[0]) event.ports[0].postMessage({ version: SHELL_VERSION });
});

async function fromCache(path, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/app' || url.pathname === '/app/')) {
    event.respondWith(fromCache('/app', request));
    return;
  }
  if (SHELL_PATHS.has(url.pathname)) event.respondWith(fromCache(url.pathname, request));
});
