// The handheld app: start-up, sign-in, the screen router, the status bar, the scan dispatch, live
// alerts and the service worker update flow. Screens live in screens/; the outbox in outbox.js.

import { openDb } from './idb.js';
import { loadDeviceId, loadSettings, loadSession, saveSession, session, settings, deviceId } from './state.js';
import { api, ApiError, NetworkError, onUnauthorized } from './api.js';
import { createScanner } from './scanner.js';
import * as feedback from './feedback.js';
import { enqueue, flush, flushStatus, recentHistory, pendingCount, attentionCount, pendingByOperator, resume, startOutbox, StorageFullError, events as outboxEvents } from './outbox.js';
import { loadInterpreter, refreshReference, listLocations } from './reference.js';
import { startLive, stopLive, liveState, watchWarehouses, events as liveEvents } from './live.js';
import { scanWithCamera } from './camera.js';
import { h, focusScan } from './ui.js';
import { homeScreen } from './screens/home.js';
import { receive, putaway, move, count, adjust } from './screens/flows.js';
import { pickScreen } from './screens/pick.js';
import { packScreen } from './screens/pack.js';
import { historyScreen } from './screens/history.js';
import { attentionScreen } from './screens/attention.js';
import { settingsScreen } from './screens/settings.js';

const SCREENS = {
  home: homeScreen(), receive, putaway, pick: pickScreen(), pack: packScreen(), move, count, adjust,
  history: historyScreen(), attention: attentionScreen(), settings: settingsScreen(),
};
const REFERENCE_EVERY_MS = 60000;

let current = null;
let scanner = null;
let lastScan = '';
let started = false;
let alertOpen = false;
let referenceTimer = null;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- status bar

function connectionText() {
  if (!navigator.onLine) return 'Offline';
  const status = flushStatus();
  if (status.paused) return 'Sign in to send';
  if (status.failures) return 'Server unreachable';
  return liveState().connected ? 'Online · live' : 'Online';
}

async function counts() {
  return { pending: await pendingCount(), attention: await attentionCount() };
}

let statusQueued = false;
async function updateStatus() {
  if (statusQueued) return;
  statusQueued = true;
  await Promise.resolve();
  statusQueued = false;
  const { pending, attention } = await counts();
  const state = connectionText();
  const conn = $('conn');
  conn.textContent = state;
  let connection = 'problem';
  if (state.startsWith('Online')) connection = 'online';
  else if (state === 'Offline') connection = 'offline';
  conn.dataset.state = connection;
  $('pending-count').textContent = String(pending);
  $('pending').dataset.count = String(pending);
  $('attention-count').textContent = String(attention);
  $('attention').dataset.count = String(attention);
  $('attention').classList.toggle('alert', attention > 0);
  $('user-name').textContent = session() && session().user ? session().user.username : '';
  document.body.dataset.pending = String(pending);
  document.body.dataset.attention = String(attention);
}

// ---------------------------------------------------------------- router

function parseHash() {
  const [path, query] = (location.hash.replace(/^#\/?/, '') || 'home').split('?');
  return { id: SCREENS[path] ? path : 'home', params: Object.fromEntries(new URLSearchParams(query || '')) };
}

function navigate(id, params = {}) {
  const query = new URLSearchParams(params).toString();
  const hash = `#/${id}${query ? `?${query}` : ''}`;
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  if (!session()) return;
  const { id, params } = parseHash();
  if (current && current.unmount) current.unmount();
  current = SCREENS[id];
  document.body.dataset.screen = id;
  document.querySelectorAll('.nav-btn').forEach((b) => b.classList.toggle('active', b.dataset.go === id));
  const root = $('screen');
  root.replaceChildren();
  await current.mount(context(root), params);
  updateStatus();
}

function context(root) {
  return { root, navigate, commit, counts, connectionText, lastScan: () => lastScan, signOut };
}

// ---------------------------------------------------------------- scans and commands

async function handleScan(code, source) {
  lastScan = code;
  window.wms.scans += 1;
  if (feedback.isLocked() || alertOpen) { feedback.rejectWhileLocked(); return; }
  if (!$('signin').hidden) { await signIn({ badge: code, device_id: deviceId() }); return; }
  if (!current || !current.onScan) { feedback.warning(`Scanned ${code}: open a task to use it`); return; }
  try {
    await current.onScan(code, source);
  } catch (err) {
    console.error('scan failed', err);
    await feedback.error(`Could not handle ${code}: ${err.message}`);
  } finally {
    window.wms.lastResultAt = performance.now();
  }
}

/**
 * Save one action as a scan command. The command is in IndexedDB (the transaction has committed)
 * before the success tone plays; a full disk is an error lock and the action does not count.
 */
async function commit(type, payload, summary, { silent = false } = {}) {
  try {
    await enqueue(type, payload, summary);
  } catch (err) {
    await feedback.error(err instanceof StorageFullError ? err.message : `Not saved: ${err.message}. Try again.`);
    return false;
  }
  if (!silent) feedback.success(`Saved: ${summary}`);
  flush();
  updateStatus();
  return true;
}

// ---------------------------------------------------------------- sign-in

function showSignIn(message = '') {
  const overlay = $('signin');
  $('signin-message').textContent = message;
  $('signin-pin').value = '';
  overlay.hidden = false;
  $('signin-pin').focus();
}

async function signIn(body) {
  try {
    const answer = await api('/api/v1/auth/login', { method: 'POST', body, auth: false });
    await saveSession({ token: answer.token, user: answer.user, expires_at: Date.now() + answer.expires_in * 1000 });
  } catch (err) {
    const message = err instanceof NetworkError ? 'No connection to the server: signing in needs the network once. Scans already saved are safe.' : err.message;
    $('signin-message').textContent = message;
    feedback.error(message, { lock: false });
    return false;
  }
  $('signin').hidden = true;
  feedback.unlockAudio();
  if (flushStatus().paused) resume();
  await startSession();
  return true;
}

async function signOut() {
  const waiting = await pendingCount();
  if (waiting && !confirm(`${waiting} scans are not sent yet. They stay on this device and are sent when their operator signs in again. Sign out?`)) return;
  await saveSession(null);
  stopLive();
  if (current && current.unmount) current.unmount();
  current = null;
  $('screen').replaceChildren();
  showSignIn('Signed out.');
  updateStatus();
}

function sessionExpired() {
  const s = session();
  return !s || !s.token || (s.expires_at && s.expires_at < Date.now());
}

async function onAuthRequired() {
  const waiting = await pendingCount();
  showSignIn(`Your session has expired. Sign in again to send ${waiting} saved scan${waiting === 1 ? '' : 's'}; nothing is lost.`);
  feedback.warning('Sign in again');
  updateStatus();
}

// ---------------------------------------------------------------- reference data and live updates

async function refreshQuietly() {
  try {
    await refreshReference();
    const warehouses = [...new Set((await listLocations()).map((l) => l.warehouse_id))];
    watchWarehouses(warehouses);
    if (current && current.refresh) await current.refresh();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    console.info('reference refresh postponed', err.message);
  }
}

function showBlockingAlert(title, message, detail = '') {
  alertOpen = true;
  const overlay = $('alert');
  overlay.querySelector('.alert-title').textContent = title;
  overlay.querySelector('.alert-message').textContent = message;
  overlay.querySelector('.alert-detail').textContent = detail;
  overlay.hidden = false;
  feedback.error(title, { lock: false });
  overlay.querySelector('button').focus();
}

function currentWork() {
  return current && current.current ? current.current() : { jobIds: [], orderIds: [] };
}

function onLiveMessage(message) {
  const work = currentWork();
  const touchesMe = (message.order_id && work.orderIds.includes(message.order_id))
    || (message.job_ids || []).some((id) => work.jobIds.includes(id))
    || (message.pack_session_ids || []).some((id) => (work.sessionIds || []).includes(id));
  if (message.type === 'alert' && touchesMe) {
    const picked = (message.picked_units || []).map((u) => `${u.quantity} × ${u.sku} in ${u.location}`).join(', ');
    showBlockingAlert(`Order ${message.order_number} ${message.event === 'order_deleted' ? 'cancelled' : 'changed'}`, message.message || '', [message.action, picked ? `Already picked: ${picked}` : ''].filter(Boolean).join(' — '));
  } else if (message.type === 'order_status' && touchesMe && message.status === 'CANCELLED' && !alertOpen) {
    showBlockingAlert(`Order ${message.order_number} cancelled`, 'Stop working on this order.', 'Put any units already picked aside and tell a supervisor.');
  }
  if (message.type === 'order_status' || message.type === 'alert' || message.type === 'resync') scheduleReferenceRefresh();
}

let refreshSoon = null;
function scheduleReferenceRefresh() {
  if (refreshSoon) return;
  refreshSoon = setTimeout(() => { refreshSoon = null; refreshQuietly(); }, 300);
}

// ---------------------------------------------------------------- start-up

async function startSession() {
  if (sessionExpired()) { showSignIn(); return; }
  startOutbox();
  if (!started) {
    started = true;
    window.addEventListener('online', () => { refreshQuietly(); updateStatus(); });
    window.addEventListener('offline', () => updateStatus());
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => false);
  const warehouses = [...new Set((await listLocations()).map((l) => l.warehouse_id))];
  await startLive(warehouses);
  if (referenceTimer) clearInterval(referenceTimer);
  referenceTimer = setInterval(() => { if (navigator.onLine) refreshQuietly(); }, REFERENCE_EVERY_MS);
  const loaded = (await listLocations()).length > 0;
  if (loaded) refreshQuietly(); else await refreshQuietly();
  await route();
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) {
    $('banner').textContent = 'This connection is not secure, so the app cannot work offline here. Open it with https:// (see README).';
    $('banner').hidden = false;
    return;
  }
  let updating = false;
  try {
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    const offer = () => {
      const banner = $('banner');
      banner.replaceChildren('A new version of the app is ready. ',
        h('button', { class: 'btn btn-primary', id: 'update-now', onclick: async () => {
          // Finish the scan in hand; queued scans live in IndexedDB, which an update never touches.
          await scanner.idle();
          updating = true;
          if (registration.waiting) registration.waiting.postMessage({ type: 'SKIP_WAITING' });
        } }, 'Update now'));
      banner.hidden = false;
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer();
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => { if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(); });
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => { if (updating) location.reload(); });
    setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
  } catch (err) {
    console.warn('service worker not registered', err);
    $('banner').textContent = `Offline mode unavailable: ${err.message}`;
    $('banner').hidden = false;
  }
}

function wireChrome() {
  $('lock-button').addEventListener('click', () => { feedback.releaseLock(); focusScan(); });
  $('alert-button').addEventListener('click', async () => {
    $('alert').hidden = true;
    alertOpen = false;
    await refreshQuietly();
    focusScan();
  });
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const pin = $('signin-pin').value.trim();
    const username = $('signin-username').value.trim();
    const password = $('signin-password').value;
    if (username && password) signIn({ username, password, device_id: deviceId() });
    else if (pin) signIn({ pin, device_id: deviceId() });
  });
  for (const key of document.querySelectorAll('.pin-key')) {
    key.addEventListener('click', () => {
      const field = $('signin-pin');
      if (key.dataset.key === 'del') field.value = field.value.slice(0, -1);
      else if (key.dataset.key === 'ok') $('signin-form').requestSubmit();
      else field.value += key.dataset.key;
    });
  }
  for (const button of document.querySelectorAll('[data-go]')) button.addEventListener('click', () => navigate(button.dataset.go));
  $('camera-button').addEventListener('click', async () => {
    const code = await scanWithCamera();
    if (code) scanner.inject(code, 'camera');
  });
  document.addEventListener('pointerdown', () => feedback.unlockAudio(), { capture: true });
  document.addEventListener('keydown', () => feedback.unlockAudio(), { capture: true, once: true });
  window.addEventListener('hashchange', route);
}

async function boot() {
  window.wms = { ready: false, scans: 0, lastResultAt: 0, feedback: feedback.log, flush: () => flush({ force: true }), pending: pendingCount, pendingByOperator, flushStatus };
  document.documentElement.dataset.version = document.documentElement.dataset.version || '';
  await openDb();
  await Promise.all([loadDeviceId(), loadSettings(), loadSession(), loadInterpreter()]);
  wireChrome();
  scanner = createScanner({ settings, onScan: handleScan, onDiscarded: (message) => feedback.warning(message) });
  window.wms.scanner = scanner.stats;
  window.wms.inject = (code, source) => scanner.inject(code, source);
  window.wms.idle = () => scanner.idle();
  window.wms.maxGapMs = () => settings().maxGapMs;
  window.wms.dedupeMs = () => settings().dedupeMs;
  window.wms.history = (limit = 500) => recentHistory(limit);
  outboxEvents.addEventListener('change', updateStatus);
  outboxEvents.addEventListener('auth-required', onAuthRequired);
  outboxEvents.addEventListener('rejected', (e) => {
    feedback.warning(`Rejected by the server: ${e.detail.result.message || e.detail.result.code}. See Needs attention.`);
    if (current && current.refresh && current.id === 'attention') current.refresh();
  });
  outboxEvents.addEventListener('warned', (e) => feedback.warning((e.detail.result.warnings || []).join('; ') || 'Applied with a warning'));
  outboxEvents.addEventListener('change', () => { if (current && current.id === 'history' && current.refresh) current.refresh(); });
  onUnauthorized(() => { if (!$('signin').hidden) return; onAuthRequired(); });
  liveEvents.addEventListener('change', updateStatus);
  liveEvents.addEventListener('message', (e) => onLiveMessage(e.detail));
  registerServiceWorker();
  if (sessionExpired()) {
    showSignIn(session() ? 'Your session has expired: sign in again. Saved scans are kept.' : '');
    if (session()) startOutbox();  // keeps counting; sends once signed in
  } else {
    await startSession();
  }
  await updateStatus();
  window.wms.ready = true;
  window.wms.readyAt = performance.now();
  document.body.dataset.ready = '1';
}

boot().catch((err) => {
  console.error('start-up failed', err);
  document.body.dataset.ready = 'failed';
  const banner = $('banner');
  banner.textContent = `The app could not start: ${err.message}. Reload; saved scans are kept on the device.`;
  banner.hidden = false;
});
