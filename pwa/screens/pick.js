// Picking: walk a pick job's lines in pick sequence. For each line scan the location, the item and
// the tote, confirm the quantity (or record a short pick with a reason). A single-order job keeps
// its first tote; a batch job needs the tote on every pick because the tote chooses the order.
// The task (job, line, scans so far) is saved after every change.

import { h, replace, scanField, focusScan, askText } from '../ui.js';
import { findLocation, findProduct, getJob, getLocation, getProduct, noteJobProgress } from '../reference.js';
import { loadTask, saveTask } from '../state.js';
import { watchOrder } from '../live.js';
import * as feedback from '../feedback.js';

const SHORT_REASONS = ['bin empty', 'not enough', 'damaged', 'wrong item in bin'];

export function pickScreen() {
  let ctx = null;
  let task = null;
  let job = null;
  let line = null;
  let view = {};

  const save = () => saveTask('pick', task);
  const isBatch = () => job && !job.order_id;

  async function load() {
    job = task && task.job_id ? await getJob(task.job_id) : null;
    line = null;
    view = {};
    if (!job) return;
    if (job.order_id) watchOrder(job.order_id);
    const lines = job.lines || [];
    line = lines.find((l) => l.id === task.line_id && (l.quantity_done || 0) < l.quantity)
      || lines.find((l) => (l.quantity_done || 0) < l.quantity) || null;
    if (line && line.id !== task.line_id) {
      task.line_id = line.id;
      task.location = null; task.item = null; task.quantity = null;
      if (isBatch()) task.tote = null;
    }
    if (line) {
      view.product = await getProduct(line.product_id);
      view.location = line.from_location_id ? await getLocation(line.from_location_id) : null;
      view.remaining = line.quantity - (line.quantity_done || 0);
    }
  }

  function nextStep() {
    if (!task.location) return 'location';
    if (!task.item) return 'item';
    if (!task.tote) return 'tote';
    return 'confirm';
  }

  async function onScan(code) {
    if (!job || !line) return feedback.error('Choose a pick job on the home screen first');
    if (job.status === 'PAUSED') return feedback.error('This job is paused (its order changed or a supervisor paused it): ask a supervisor before picking on');
    const step = nextStep();
    if (step === 'location') {
      const location = await findLocation(code);
      if (!location) return feedback.error(`Unknown location ${code}: scan the bin label`);
      if (view.location && location.id !== view.location.id) return feedback.error(`Wrong location ${location.code}: go to ${view.location.code}`);
      task.location = { raw: code, label: location.code };
    } else if (step === 'item' || (step !== 'location' && task.item && code === task.item.raw)) {
      const match = await findProduct(code);
      if (!match.ok) return feedback.error(match.message);
      if (match.product.id !== line.product_id) return feedback.error(`Wrong item ${match.product.sku}: pick ${view.product ? view.product.sku : 'the listed item'}`);
      if (line.batch && match.batch && match.batch !== line.batch) return feedback.error(`Wrong batch ${match.batch}: pick batch ${line.batch}`);
      if (task.item && code === task.item.raw) {
        task.quantity = Math.min(view.remaining, (task.quantity || 0) + match.units);
      } else {
        task.item = { raw: code, label: `${match.product.sku} · ${match.product.name}`, units: match.units };
        task.quantity = Math.min(view.remaining, match.units);
      }
    } else if (step === 'tote') {
      const location = await findLocation(code);
      if (location && location.type !== 'TOTE') return feedback.error(`${location.code} is not a tote: scan the tote label`);
      task.tote = { raw: code, label: location ? location.code : code };
    } else {
      return feedback.error('Tap Pick to confirm this line first');
    }
    await save();
    render();
    feedback.success(nextStep() === 'confirm' ? 'Check the quantity and tap Pick' : 'OK');
  }

  async function confirm(shortReason = null) {
    if (!task.location || !task.item) return feedback.error('Scan the location and the item first');
    if (!task.tote) return feedback.error('Scan the tote first');
    const quantity = Number(task.quantity);
    if (!Number.isInteger(quantity) || quantity < 0 || (quantity === 0 && !shortReason)) return feedback.error('Enter the quantity picked');
    if (quantity > view.remaining) return feedback.error(`Only ${view.remaining} left on this line`);
    const payload = { job_id: job.id, location: task.location.raw, item: task.item.raw, quantity, tote: task.tote.raw };
    if (shortReason) payload.short_reason = shortReason;
    const summary = `picked ${quantity} × ${task.item.label} from ${task.location.label} into ${task.tote.label}${shortReason ? ` (short: ${shortReason})` : ''}`;
    if (!(await ctx.commit('pick', payload, summary))) return;
    // A short pick closes the line here; the server reallocates the rest as new lines.
    await noteJobProgress(job.id, line.id, shortReason ? view.remaining : quantity);
    task.location = null; task.item = null; task.quantity = null;
    if (isBatch()) task.tote = null;
    task.last = summary;
    await save();
    await load();
    render();
  }

  async function short() {
    if (!task.item) return feedback.error('Scan the location and the item first (a quantity of 0 is allowed)');
    const reason = await askText('Why is the pick short?', { choices: SHORT_REASONS, placeholder: 'reason' });
    if (reason) await confirm(reason);
  }

  function render() {
    if (!ctx) return;
    if (!job) {
      replace(ctx.root, h('h1', {}, 'Pick'), h('p', { class: 'prompt' }, 'No pick job chosen.'),
        h('button', { class: 'btn btn-primary', onclick: () => ctx.navigate('home') }, 'Choose a job'));
      return;
    }
    if (!line) {
      replace(ctx.root, h('h1', {}, 'Pick'), h('p', { class: 'prompt', id: 'prompt' }, 'Job complete: take the totes to packing.'),
        task.last ? h('div', { class: 'last' }, `Saved: ${task.last}`) : null,
        h('button', { class: 'btn btn-primary', id: 'done', onclick: async () => { await saveTask('pick', null); ctx.navigate('home'); } }, 'Done'));
      return;
    }
    const step = nextStep();
    const prompts = {
      location: `Go to ${view.location ? view.location.code : '?'} and scan it`,
      item: `Scan ${view.product ? view.product.sku : 'the item'}`,
      tote: isBatch() ? 'Scan the tote of this order' : 'Scan a tote for this order',
      confirm: 'Check the quantity and tap Pick',
    };
    replace(ctx.root,
      h('h1', {}, `Pick${isBatch() ? ' (batch)' : ''}`),
      h('div', { class: 'pick-card' },
        h('div', { class: 'pick-location' }, view.location ? view.location.code : '—'),
        h('div', { class: 'pick-qty' }, `${view.remaining} ×`),
        h('div', { class: 'pick-product' }, view.product ? `${view.product.sku} · ${view.product.name}` : line.product_id),
        line.batch ? h('div', { class: 'detail' }, `Batch ${line.batch}`) : null),
      h('div', { class: 'prompt', id: 'prompt' }, prompts[step]),
      scanField(prompts[step]),
      h('div', { class: 'fields' },
        h('div', { class: `field-row ${step === 'location' ? 'current' : ''}` }, h('span', { class: 'field-name' }, 'Location'), h('span', { class: 'field-value' }, task.location ? task.location.label : '—')),
        h('div', { class: `field-row ${step === 'item' ? 'current' : ''}` }, h('span', { class: 'field-name' }, 'Item'), h('span', { class: 'field-value' }, task.item ? task.item.label : '—')),
        h('div', { class: `field-row ${step === 'tote' ? 'current' : ''}` }, h('span', { class: 'field-name' }, 'Tote'), h('span', { class: 'field-value' }, task.tote ? task.tote.label : '—'))),
      task.item ? h('div', { class: 'qty-row' }, h('span', { class: 'qty-label' }, 'Picked'),
        h('input', { id: 'quantity', class: 'qty-input', type: 'number', inputmode: 'numeric', min: 0, max: view.remaining, value: String(task.quantity ?? ''),
          onchange: async (e) => { task.quantity = parseInt(e.target.value, 10); await save(); focusScan(true); } })) : null,
      h('div', { class: 'button-row' },
        h('button', { class: 'btn btn-warn', type: 'button', id: 'short', onclick: () => short() }, 'Short'),
        h('button', { class: 'btn btn-primary', type: 'button', id: 'confirm', disabled: step !== 'confirm', onclick: () => confirm() }, 'Pick')),
      task.last ? h('div', { class: 'last' }, `Saved: ${task.last}`) : null);
    focusScan();
  }

  return {
    id: 'pick',
    title: 'Pick',
    async mount(context, params = {}) {
      ctx = context;
      task = (await loadTask('pick')) || { job_id: null };
      if (params.job && params.job !== task.job_id) task = { job_id: params.job, line_id: null, tote: null };
      await load();
      await save();
      render();
    },
    unmount() { ctx = null; },
    onScan,
    /** The orders and jobs this screen is working on, for live alerts. */
    current: () => ({ jobIds: job ? [job.id] : [], orderIds: job && job.order_id ? [job.order_id] : [] }),
    async refresh() { if (ctx) { await load(); render(); } },
  };
}
