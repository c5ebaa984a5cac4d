// Packing: scan the order number or its tote, scan every unit (each scan is a `pack` command in the
// outbox, checked at once against what the order still needs), then create the shipment in
// Starshipit through the pack-bench API and open the returned PDF label for printing.

import { h, replace, scanField, focusScan } from '../ui.js';
import { findProduct } from '../reference.js';
import { loadTask, saveTask } from '../state.js';
import { api, ApiError } from '../api.js';
import { flush } from '../outbox.js';
import { watchOrder } from '../live.js';
import * as feedback from '../feedback.js';

export function packScreen() {
  let ctx = null;
  let task = null;
  let busy = false;

  const save = () => saveTask('pack', task);
  const fresh = () => ({ order: null, session: null, to_pack: null, packed: {}, label_url: '', weight_kg: '', packaging: 'carton' });

  async function openSession(code) {
    try {
      const progress = await api('/api/v1/pack/sessions', { method: 'POST', body: { scan: code } });
      task.session = progress.session_id;
      task.order_id = progress.order_id;
      task.order_label = progress.order_number;
      task.to_pack = progress.to_pack || null;
      task.packed = progress.packed || {};
      if (progress.order_id) watchOrder(progress.order_id);
      return true;
    } catch (err) {
      if (err instanceof ApiError) { feedback.error(err.message); return false; }
      // Offline: pack on; the server checks each unit when the outbox is sent.
      feedback.warning('Offline: units are queued and checked by the server later');
      return true;
    }
  }

  async function onScan(code) {
    if (!task.order) {
      task = { ...fresh(), order: { raw: code, label: code } };
      if (!(await openSession(code))) { task = fresh(); await save(); render(); return; }
      await save();
      render();
      feedback.success(`Order ${task.order_label || code}`);
      return;
    }
    const match = await findProduct(code);
    if (!match.ok) return feedback.error(match.message);
    const sku = match.product.sku;
    if (task.to_pack && !((task.to_pack[sku] || 0) > 0)) {
      return feedback.error(`${sku} is not (or no longer) needed for this order: put it aside`);
    }
    const units = match.units || 1;
    const payload = { order: task.order.raw, item: code, quantity: 1 };
    if (!(await ctx.commit('pack', payload, `packed ${units} × ${sku} for ${task.order_label || task.order.raw}`, { silent: true }))) return;
    task.packed[sku] = (task.packed[sku] || 0) + units;
    if (task.to_pack) task.to_pack[sku] = Math.max(0, (task.to_pack[sku] || 0) - units);
    await save();
    render();
    const left = task.to_pack ? Object.values(task.to_pack).reduce((a, b) => a + b, 0) : null;
    feedback.success(left === 0 ? 'All units packed: weigh and print the label' : `${sku} packed`);
  }

  async function ship() {
    if (busy) return;
    if (!task.session) return feedback.error('The label needs the server: reconnect and scan the order again');
    const weight = parseFloat(task.weight_kg);
    if (!(weight > 0)) return feedback.error('Enter the parcel weight in kg');
    busy = true;
    render();
    try {
      await flush({ force: true });  // the packed units must reach the server before the shipment
      const result = await api(`/api/v1/pack/sessions/${task.session}/ship`, { method: 'POST', body: { packaging: task.packaging, weight_kg: weight }, timeoutMs: 60000 });
      task.label_url = openLabel(result.label_pdf_base64) || result.label_url || '';
      task.tracking = (result.tracking_numbers || []).join(', ');
      await save();
      feedback.success(`Label ready${task.tracking ? `: ${task.tracking}` : ''}`);
    } catch (err) {
      await feedback.error(err.message || 'Starshipit did not create the shipment');
    } finally {
      busy = false;
      render();
    }
  }

  function openLabel(base64) {
    if (!base64) return '';
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
    const win = window.open(url, '_blank');
    if (win) win.addEventListener('load', () => { try { win.print(); } catch (_) { /* the viewer prints */ } });
    return url;
  }

  function render() {
    if (!ctx) return;
    const rows = Object.keys({ ...(task.to_pack || {}), ...task.packed }).sort().map((sku) => h('div', { class: 'field-row' },
      h('span', { class: 'field-name' }, sku),
      h('span', { class: 'field-value' }, `${task.packed[sku] || 0} packed${task.to_pack ? `, ${task.to_pack[sku] || 0} to go` : ''}`)));
    replace(ctx.root,
      h('h1', {}, 'Pack'),
      h('div', { class: 'prompt', id: 'prompt' }, task.order ? `Order ${task.order_label || task.order.label}: scan each unit` : 'Scan the order or its tote'),
      scanField(task.order ? 'Scan a unit' : 'Scan order or tote'),
      h('div', { class: 'fields' }, rows),
      task.order ? h('div', { class: 'ship-box' },
        h('label', { class: 'text-label' }, 'Packaging', h('select', { class: 'text-input', id: 'packaging', onchange: async (e) => { task.packaging = e.target.value; await save(); } },
          ['carton', 'satchel', 'pallet'].map((p) => h('option', { value: p, selected: task.packaging === p }, p)))),
        h('label', { class: 'text-label' }, 'Weight kg', h('input', { class: 'text-input', id: 'weight', type: 'number', inputmode: 'decimal', step: '0.01', value: task.weight_kg,
          onchange: async (e) => { task.weight_kg = e.target.value; await save(); } })),
        h('button', { class: 'btn btn-primary', id: 'ship', disabled: busy || !Object.keys(task.packed).length, onclick: () => ship() }, busy ? 'Creating label…' : 'Ship & print label'),
        task.label_url ? h('a', { class: 'btn', id: 'label-link', href: task.label_url, target: '_blank' }, `Open label${task.tracking ? ` (${task.tracking})` : ''}`) : null) : null,
      h('div', { class: 'button-row' }, h('button', { class: 'btn', id: 'new-order', onclick: async () => { task = fresh(); await save(); render(); } }, 'Next order')));
    focusScan();
  }

  return {
    id: 'pack',
    title: 'Pack',
    async mount(context) {
      ctx = context;
      task = (await loadTask('pack')) || fresh();
      if (task.order_id) watchOrder(task.order_id);
      render();
    },
    unmount() { ctx = null; },
    onScan,
    current: () => ({ jobIds: [], orderIds: task && task.order_id ? [task.order_id] : [], sessionIds: task && task.session ? [task.session] : [] }),
  };
}
