// Small durable values kept in the `kv` store: the device id, the signed-in session, scanner
// settings, reference cursors and each screen's task in progress.

import { get, put, del } from './idb.js';

export const DEFAULT_SETTINGS = Object.freeze({
  prefix: '',          // characters the scanner sends before each code, stripped from scanner bursts
  suffix: '',          // an extra terminator character; Enter and Tab always end a scan
  separator: '',       // a substitute the scanner sends for the GS1 group separator (ASCII 29)
  maxGapMs: 50,        // keys closer together than this belong to one scanner burst
  minLength: 3,        // shorter bursts are typing, not scans
  dedupeMs: 300,       // the same code again within this window is one trigger that sent its payload twice
  sound: true,
  vibrate: true,
});

const memory = { settings: { ...DEFAULT_SETTINGS }, session: null, deviceId: null };

export const kvGet = (key) => get('kv', key);
export const kvPut = (key, value) => put('kv', value, key);
export const kvDel = (key) => del('kv', key);

/** Return this device's id, creating it on first use and never changing it afterwards. */
export async function loadDeviceId() {
  let id = await kvGet('device_id');
  if (!id) {
    id = crypto.randomUUID();
    await kvPut('device_id', id);
  }
  memory.deviceId = id;
  return id;
}

export const deviceId = () => memory.deviceId;

export async function loadSettings() {
  const stored = (await kvGet('settings')) || {};
  memory.settings = { ...DEFAULT_SETTINGS, ...stored };
  return memory.settings;
}

export const settings = () => memory.settings;

export async function saveSettings(values) {
  memory.settings = { ...memory.settings, ...values };
  await kvPut('settings', memory.settings);
  return memory.settings;
}

/** Return the signed-in session {token, user, expires_at}, or null. */
export async function loadSession() {
  memory.session = (await kvGet('session')) || null;
  return memory.session;
}

export const session = () => memory.session;

export async function saveSession(value) {
  memory.session = value;
  if (value) await kvPut('session', value); else await kvDel('session');
}

/** Read and write the task in progress of one screen, so it survives a reload or a crash. */
export const loadTask = (screen) => kvGet(`task:${screen}`);
export const saveTask = (screen, task) => (task ? kvPut(`task:${screen}`, task) : kvDel(`task:${screen}`));
