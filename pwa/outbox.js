// The outbox: every floor action becomes a scan command that is written to IndexedDB BEFORE the
// operator hears the success tone, and is sent to POST /api/v1/sync later.
//
// Flushing: after each scan, on `online`, when the app becomes visible, and on a timer, one flush at
// a time (a request made during a flush runs one more pass after it). Results per command:
//   applied / applied_with_warning / duplicate -> removed from the outbox, history updated;
//   rejected -> moved to "needs attention", never retried by itself;
//   retry, 5xx, 429 or no network -> kept, and the next attempt waits with exponential backoff;
//   401 -> the outbox pauses until the operator signs in again; nothing is dropped.

import { transaction, req, count, all, listByIndex, isQuotaError } from './idb.js';
import { api, ApiError, NetworkError } from './api.js';
import { deviceId, session } from './state.js';

export class StorageFullError extends Error {}

// Small batches keep each request well inside the timeout on a slow server, so a flush of a long
// offline queue makes steady progress instead of timing out and resending the same commands.
const BATCH = 50;
const TIMER_MS = 5000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60000;

export const events = new EventTarget();
const status = { running: false, paused: false, failures: 0, nextAttemptAt: 0, lastError: '', lastFlushAt: 0, sent: 0, rejected: 0 };
let running = null;
let again = false;
let timer = null;

export const flushStatus = () => ({ ...status });

function emit(name, detail) {
  events.dispatchEvent(new CustomEvent(name, { detail }));
}

/**
 * Make a command of `type` with `payload` and store it durably. Resolves with the command once the
 * IndexedDB transaction has committed; rejects with StorageFullError when the device is out of space
 * (the scan then does NOT count as saved).
 */
export async function enqueue(type, payload, summary = '') {
  const user = session() && session().user;
  let command;
  try {
    command = await transaction(['kv', 'outbox', 'history'], 'readwrite', async (stores) => {
      const last = (await req(stores.kv.get('device_seq'))) || 0;
      const seq = last + 1;
      stores.kv.put(seq, 'device_seq');
      const made = {
        command_id: crypto.randomUUID(),
        device_id: deviceId(),
        operator: user ? user.username : '',
        device_seq: seq,
        device_time: new Date().toISOString(),
        type,
        payload,
      };
      stores.outbox.put({ ...made, attempts: 0, last_error: '' });
      stores.history.put({ ...made, summary, status: 'queued', message: '', warnings: [] });
      return made;
    });
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError('Storage is full: this scan was NOT saved. Sync, then free space on the device.');
    throw err;
  }
  emit('change');
  return command;
}

export const pendingCount = () => count('outbox');

/** Queued commands per operator, e.g. {op1: 3, op2: 1}. */
export async function pendingByOperator() {
  const counts = {};
  for (const c of await all('outbox')) counts[c.operator] = (counts[c.operator] || 0) + 1;
  return counts;
}
export const attentionCount = () => count('attention');
export const pendingCommands = () => all('outbox');
export const recentHistory = (limit = 200) => listByIndex('history', 'seq', limit, true);

/** Raise the device sequence counter to at least `seq` (the server's last applied number). */
async function raiseSequence(seq) {
  if (!Number.isInteger(seq)) return;
  await transaction(['kv'], 'readwrite', async (stores) => {
    const last = (await req(stores.kv.get('device_seq'))) || 0;
    if (seq > last) stores.kv.put(seq, 'device_seq');
  });
}

function scheduleBackoff(message) {
  status.failures += 1;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (status.failures - 1));
  const delay = base * (0.8 + Math.random() * 0.4);
  status.nextAttemptAt = Date.now() + delay;
  status.lastError = message;
  emit('change');
}

function wire(command) {
  const { command_id, device_id, operator, device_seq, device_time, type, payload } = command;
  return { command_id, device_id, operator, device_seq, device_time, type, payload };
}

async function settle(result, command) {
  const final = ['applied', 'applied_with_warning', 'duplicate'].includes(result.status);
  await transaction(['outbox', 'history', 'attention'], 'readwrite', async (stores) => {
    const entry = (await req(stores.history.get(command.command_id))) || { ...wire(command), summary: '' };
    if (final) {
      stores.outbox.delete(command.command_id);
      stores.history.put({ ...entry, status: result.status, result: result.result || null, warnings: result.warnings || [], message: result.message || '' });
    } else if (result.status === 'rejected') {
      stores.outbox.delete(command.command_id);
      stores.attention.put({ ...wire(command), summary: entry.summary, code: result.code || 'rejected', message: result.message || 'rejected by the server', rejected_at: new Date().toISOString() });
      stores.history.put({ ...entry, status: 'rejected', message: result.message || '', code: result.code || '' });
    } else {
      stores.outbox.put({ ...command, attempts: (command.attempts || 0) + 1, last_error: result.message || result.status });
    }
  });
  if (final) status.sent += 1;
  if (result.status === 'rejected') { status.rejected += 1; emit('rejected', { command, result }); }
  if (result.status === 'applied_with_warning') emit('warned', { command, result });
}

async function sendBatch(commands) {
  const body = { device_id: deviceId(), commands: commands.map(wire) };
  const answer = await api('/api/v1/sync', { method: 'POST', body, timeoutMs: 60000 });
  const byId = new Map(commands.map((c) => [c.command_id, c]));
  let retry = false;
  for (const result of answer.results || []) {
    const command = byId.get(result.command_id);
    if (!command) continue;
    byId.delete(result.command_id);
    if (result.status === 'retry') retry = true;
    await settle(result, command);
  }
  if (answer.last_seq !== undefined) await raiseSequence(answer.last_seq);
  // Commands without a result stay queued for the next pass.
  return { retry: retry || byId.size > 0 };
}

async function flushOnce(force) {
  if (status.paused) return;
  if (!session() || !session().token || !session().user) { pause(); return; }
  if (!navigator.onLine) return;
  if (!force && Date.now() < status.nextAttemptAt) return;
  const me = session().user.username;
  for (;;) {
    // Only the signed-in operator's commands go out: the server accepts a command only from the
    // operator who captured it, so another operator's scans wait on the device for their sign-in.
    const batch = (await listByIndex('outbox', 'seq', 100000)).filter((c) => c.operator === me).slice(0, BATCH);
    if (!batch.length) break;
    try {
      const { retry } = await sendBatch(batch);
      status.failures = 0;
      status.nextAttemptAt = 0;
      status.lastError = '';
      emit('change');
      if (retry) { scheduleBackoff('the server asked to retry'); return; }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) { pause(); return; }
      if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        // The server refused the whole batch because of one command. Send them one by one so the
        // bad one can be set aside for a person while the rest go through.
        if (batch.length > 1) { await isolate(batch); continue; }
        await settle({ status: 'rejected', code: err.code, message: err.message }, batch[0]);
        continue;
      }
      const message = err instanceof NetworkError ? err.message : `server error: ${err.message}`;
      scheduleBackoff(message);
      return;
    }
  }
}

async function isolate(batch) {
  for (const command of batch) {
    try {
      await sendBatch([command]);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        await settle({ status: 'rejected', code: err.code, message: err.message }, command);
      } else {
        throw err;
      }
    }
  }
}

/**
 * Send everything queued. Only one flush runs at a time: a call during a flush returns the running
 * flush and makes it do one more pass, so a scan added meanwhile is sent right after.
 */
export function flush({ force = false } = {}) {
  if (running) { again = true; return running; }
  status.running = true;
  emit('change');
  running = (async () => {
    try {
      do {
        again = false;
        await flushOnce(force);
        force = false;
      } while (again && !status.paused && navigator.onLine && Date.now() >= status.nextAttemptAt);
    } catch (err) {
      console.error('flush failed', err);
      scheduleBackoff(String(err.message || err));
    } finally {
      status.running = false;
      status.lastFlushAt = Date.now();
      running = null;
      emit('change');
    }
  })();
  return running;
}

function pause() {
  if (!status.paused) {
    status.paused = true;
    emit('auth-required');
    emit('change');
  }
}

/** Resume after the operator signed in again, and send what is waiting. */
export function resume() {
  status.paused = false;
  status.failures = 0;
  status.nextAttemptAt = 0;
  emit('change');
  return flush({ force: true });
}

/** Hook the flush triggers: online, visible, the timer. */
let hooked = false;

export function startOutbox() {
  if (hooked) { flush(); return; }
  hooked = true;
  window.addEventListener('online', () => { status.failures = 0; status.nextAttemptAt = 0; flush({ force: true }); });
  window.addEventListener('offline', () => emit('change'));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flush(); });
  if (timer) clearInterval(timer);
  timer = setInterval(async () => {
    if (status.paused || !navigator.onLine) return;
    if ((await pendingCount()) > 0) flush();
  }, TIMER_MS);
  flush();
}

/** Commands rejected by the server and kept on this device until a person resolves them. */
export const localAttention = () => all('attention');

export async function forgetAttention(commandId) {
  await transaction(['attention', 'history'], 'readwrite', async (stores) => {
    stores.attention.delete(commandId);
    const entry = await req(stores.history.get(commandId));
    if (entry) stores.history.put({ ...entry, status: 'resolved' });
  });
  emit('change');
}
