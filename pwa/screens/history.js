// Scan history: every command made on this device, newest first, with its state: queued, applied,
// duplicate (already applied), applied with a warning, rejected or resolved.

import { h, replace, formatTime } from '../ui.js';
import { recentHistory, flush } from '../outbox.js';

const LABELS = { queued: 'waiting to send', applied: 'applied', applied_with_warning: 'applied, with a warning', duplicate: 'already applied', rejected: 'rejected: see Needs attention', resolved: 'resolved' };

export function historyScreen() {
  let ctx = null;

  async function render() {
    if (!ctx) return;
    const entries = await recentHistory(200);
    if (!ctx) return;
    replace(ctx.root,
      h('h1', {}, 'Scan history'),
      h('div', { class: 'button-row' }, h('button', { class: 'btn btn-primary', id: 'sync-now', onclick: () => flush({ force: true }) }, 'Send now')),
      h('ol', { class: 'history', id: 'history-list' }, entries.map((e) => h('li', { class: `history-item status-${e.status}`, dataset: { status: e.status, seq: String(e.device_seq) } },
        h('div', { class: 'history-top' }, h('span', {}, `#${e.device_seq} ${e.type}`), h('span', {}, formatTime(e.device_time))),
        h('div', {}, e.summary || JSON.stringify(e.payload)),
        h('div', { class: 'history-status' }, LABELS[e.status] || e.status, e.message ? ` — ${e.message}` : ''),
        (e.warnings || []).map((w) => h('div', { class: 'history-warning' }, w))))));
  }

  return {
    id: 'history', title: 'History',
    async mount(context) { ctx = context; await render(); },
    unmount() { ctx = null; },
    refresh: () => render(),
    onScan: null,
  };
}
