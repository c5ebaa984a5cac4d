// The live socket (/ws): order and job changes pushed by the server. It signs in with the first
// message, subscribes to the warehouse and to the orders being worked on, resumes from the last
// sequence number it saw, and reconnects with exponential backoff when the connection drops.

import { kvGet, kvPut, session } from './state.js';

export const events = new EventTarget();
const state = { socket: null, connected: false, attempts: 0, timer: null, warehouses: new Set(), orders: new Set(), lastSeq: 0, stopped: true };

export const liveState = () => ({ connected: state.connected, attempts: state.attempts, lastSeq: state.lastSeq });

function emit(name, detail) {
  events.dispatchEvent(new CustomEvent(name, { detail }));
}

function send(message) {
  if (state.connected && state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

function subscribeAll() {
  for (const id of state.warehouses) send({ type: 'subscribe', warehouse_id: id, last_seq: state.lastSeq || undefined });
  for (const id of state.orders) send({ type: 'subscribe', order_id: id, last_seq: state.lastSeq || undefined });
}

function scheduleReconnect() {
  if (state.stopped || state.timer) return;
  const delay = Math.min(30000, 1000 * 2 ** state.attempts) * (0.8 + Math.random() * 0.4);
  state.attempts += 1;
  state.timer = setTimeout(() => { state.timer = null; connect(); }, delay);
}

function connect() {
  if (state.stopped || !session() || !navigator.onLine) return;
  if (state.socket && state.socket.readyState <= WebSocket.OPEN) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let socket;
  try { socket = new WebSocket(url); } catch (_) { scheduleReconnect(); return; }
  state.socket = socket;
  socket.onopen = () => {
    state.socket.send(JSON.stringify({ type: 'auth', token: session().token }));
  };
  socket.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (_) { return; }
    if (typeof message.seq === 'number' && message.seq > state.lastSeq) {
      state.lastSeq = message.seq;
      kvPut('live_last_seq', state.lastSeq);
    }
    if (message.type === 'ready') {
      // Signed in: (re)subscribe, resuming each subscription after the last seq seen.
      state.connected = true;
      state.attempts = 0;
      subscribeAll();
      emit('change');
    }
    if (message.type === 'error' && /auth|token/i.test(message.message || message.code || '')) emit('auth-required', message);
    emit('message', message);
    if (message.type) emit(message.type, message);
  };
  socket.onclose = () => {
    if (state.socket === socket) state.socket = null;
    state.connected = false;
    emit('change');
    scheduleReconnect();
  };
  socket.onerror = () => { /* onclose follows and schedules the reconnect */ };
}

/** Start the live connection for the signed-in session. */
export async function startLive(warehouseIds) {
  state.stopped = false;
  state.lastSeq = (await kvGet('live_last_seq')) || 0;
  for (const id of warehouseIds || []) state.warehouses.add(id);
  if (!state.listening) {
    state.listening = true;
    window.addEventListener('online', () => { state.attempts = 0; connect(); });
  }
  connect();
}

/** Close the socket (sign-out); it stays closed until startLive is called again. */
export function stopLive() {
  state.stopped = true;
  if (state.timer) { clearTimeout(state.timer); state.timer = null; }
  if (state.socket) state.socket.close();
  state.socket = null;
  state.connected = false;
  emit('change');
}

/** Follow one order (the one being picked or packed) as well as the warehouses. */
export function watchOrder(orderId) {
  if (!orderId || state.orders.has(orderId)) return;
  state.orders.add(orderId);
  send({ type: 'subscribe', order_id: orderId, last_seq: state.lastSeq || undefined });
}

export function watchWarehouses(ids) {
  for (const id of ids) {
    if (state.warehouses.has(id)) continue;
    state.warehouses.add(id);
    send({ type: 'subscribe', warehouse_id: id, last_seq: state.lastSeq || undefined });
  }
}
