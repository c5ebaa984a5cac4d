// Needs attention: scans the server rejected, each with its reason and raw scans. A supervisor
// resubmits one with a correction or dismisses it with a reason; on a shared handheld the supervisor
// approves with their own password for that one action, without signing the operator out.

import { h, replace, askText, formatTime } from '../ui.js';
import { api, ApiError, NetworkError } from '../api.js';
import { localAttention, forgetAttention } from '../outbox.js';
import * as feedback from '../feedback.js';

let supervisorToken = null;

async function asSupervisor(call) {
  try {
    return await call(null);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err;
  }
  if (!supervisorToken) {
    const username = await askText('Supervisor approval: username');
    if (!username) return null;
    const password = await askPassword();
    if (!password) return null;
    const login = await api('/api/v1/auth/login', { method: 'POST', body: { username, password }, auth: false });
    supervisorToken = login.token;
  }
  try {
    return await call(supervisorToken);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) supervisorToken = null;
    throw err;
  }
}

function askPassword() {
  return new Promise((resolve) => {
    const dialog = document.getElementById('dialog');
    const input = h('input', { type: 'password', class: 'text-input', id: 'dialog-password', autocomplete: 'off' });
    const finish = (v) => { dialog.hidden = true; dialog.replaceChildren(); resolve(v); };
    dialog.replaceChildren(h('div', { class: 'dialog-box' }, h('h2', {}, 'Supervisor password'), input,
      h('div', { class: 'button-row' }, h('button', { class: 'btn', onclick: () => finish(null) }, 'Cancel'),
        h('button', { class: 'btn btn-primary', id: 'dialog-ok', onclick: () => finish(input.value) }, 'OK'))));
    dialog.hidden = false;
    input.focus();
  });
}

function coerce(original, text) {
  if (typeof original === 'number') { const n = Number(text); return Number.isFinite(n) ? n : text; }
  if (Array.isArray(original)) return text.split(',').map((s) => s.trim()).filter(Boolean);
  return text;
}

export function attentionScreen() {
  let ctx = null;
  let editing = null;
  let serverItems = [];
  let offline = false;

  async function load() {
    try {
      serverItems = await api('/api/v1/sync/attention?state=open');
      offline = false;
    } catch (err) {
      offline = err instanceof NetworkError;
      if (!offline) feedback.warning(err.message);
    }
    // Items the server no longer lists as open were resolved elsewhere (by a supervisor's screen).
    if (!offline) {
      const open = new Set(serverItems.map((i) => i.command_id));
      for (const item of await localAttention()) if (!open.has(item.command_id)) await forgetAttention(item.command_id);
    }
  }

  async function merged() {
    const byId = new Map();
    for (const item of await localAttention()) byId.set(item.command_id, { ...item });
    for (const item of serverItems) byId.set(item.command_id, { ...byId.get(item.command_id), ...item });
    return [...byId.values()].sort((a, b) => a.device_seq - b.device_seq);
  }

  async function resubmit(item, payload) {
    try {
      const result = await asSupervisor((token) => api(`/api/v1/sync/attention/${item.command_id}/resubmit?device_id=${encodeURIComponent(item.device_id)}`, { method: 'POST', body: { payload }, token }));
      if (!result) return;
      await forgetAttention(item.command_id);
      feedback.success(`Resubmitted ${item.type}`);
      editing = null;
      await load();
      await render();
    } catch (err) {
      await feedback.error(err.message);
    }
  }

  async function dismiss(item) {
    const reason = await askText('Why dismiss this scan?', { choices: ['scanned by mistake', 'done again by hand', 'duplicate'], placeholder: 'reason' });
    if (!reason) return;
    try {
      const result = await asSupervisor((token) => api(`/api/v1/sync/attention/${item.command_id}/dismiss?device_id=${encodeURIComponent(item.device_id)}`, { method: 'POST', body: { reason }, token }));
      if (!result) return;
      await forgetAttention(item.command_id);
      feedback.success('Dismissed');
      await load();
      await render();
    } catch (err) {
      await feedback.error(err.message);
    }
  }

  function editor(item) {
    const inputs = Object.entries(item.payload).map(([key, value]) => h('label', { class: 'text-label' }, key,
      h('input', { class: 'text-input', type: 'text', name: key, value: Array.isArray(value) ? value.join(', ') : String(value ?? ''), dataset: { field: key } })));
    const form = h('form', { class: 'edit-form', id: 'resubmit-form', onsubmit: (e) => {
      e.preventDefault();
      const payload = {};
      for (const input of form.querySelectorAll('[data-field]')) {
        const key = input.dataset.field;
        if (input.value.trim() === '' && item.payload[key] === undefined) continue;
        payload[key] = coerce(item.payload[key], input.value.trim());
      }
      resubmit(item, payload);
    } }, inputs,
    h('div', { class: 'button-row' }, h('button', { class: 'btn', type: 'button', onclick: () => { editing = null; render(); } }, 'Cancel'),
      h('button', { class: 'btn btn-primary', type: 'submit', id: 'resubmit-send' }, 'Resubmit')));
    return form;
  }

  async function render() {
    if (!ctx) return;
    const items = await merged();
    if (!ctx) return;
    replace(ctx.root,
      h('h1', {}, `Needs attention (${items.length})`),
      offline ? h('p', { class: 'detail' }, 'Offline: showing this device\'s list; resubmitting and dismissing need the network.') : null,
      h('ul', { class: 'attention-list', id: 'attention-list' }, items.map((item) => h('li', { class: 'attention-item', dataset: { command: item.command_id } },
        h('div', { class: 'history-top' }, h('strong', {}, `#${item.device_seq} ${item.type}`), h('span', {}, item.device_time ? formatTime(item.device_time) : '')),
        item.summary ? h('div', {}, item.summary) : null,
        h('div', { class: 'attention-reason' }, item.message || item.code || 'rejected'),
        h('div', { class: 'detail' }, Object.entries(item.payload || {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(' · ')),
        editing === item.command_id ? editor(item) : h('div', { class: 'button-row' },
          h('button', { class: 'btn', type: 'button', dataset: { action: 'dismiss' }, onclick: () => dismiss(item) }, 'Dismiss'),
          h('button', { class: 'btn btn-primary', type: 'button', dataset: { action: 'fix' }, onclick: () => { editing = item.command_id; render(); } }, 'Correct & resubmit'))))));
  }

  return {
    id: 'attention', title: 'Needs attention',
    async mount(context) { ctx = context; editing = null; await render(); await load(); await render(); },
    unmount() { ctx = null; },
    refresh: async () => { if (!editing) { await load(); await render(); } },
    onScan: null,
  };
}
