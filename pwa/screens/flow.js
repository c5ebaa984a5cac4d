// A scan flow: a screen that collects scans step by step (a location, an item, a quantity, another
// location) and turns them into one scan command. Receive, put away, move, count and adjust are
// flows; each is a short definition in flows.js. The flow's task lives in IndexedDB after every
// change, so a reload or a crash continues at the same step with the same scans.

import { h, replace, scanField, focusScan } from '../ui.js';
import { findLocation, findProduct, getJob, getLocation, getProduct } from '../reference.js';
import { loadTask, saveTask } from '../state.js';
import * as feedback from '../feedback.js';

function freshTask(def, keep = {}) {
  const task = { step: 0, values: {}, quantity: 1, extra: { ...(def.defaults || {}) }, job_id: null, job_line_id: null };
  for (const key of def.keep || []) if (keep.values && keep.values[key]) task.values[key] = keep.values[key];
  for (const key of def.keepExtra || []) if (keep.extra && keep.extra[key] !== undefined) task.extra[key] = keep.extra[key];
  if (keep.job_id) { task.job_id = keep.job_id; }
  task.step = def.steps.findIndex((step) => !task.values[step.key]);
  return task;
}

/** Build the screen object of the flow `def`. */
export function flowScreen(def) {
  let task = null;
  let ctx = null;

  const save = () => saveTask(def.id, task);
  const step = () => def.steps[task.step];

  async function startFromJob(jobId) {
    const job = await getJob(jobId);
    if (!job) return;
    task = freshTask(def);
    task.job_id = job.id;
    const line = (job.lines || []).find((l) => (l.quantity_done || 0) < l.quantity) || (job.lines || [])[0];
    if (line) {
      task.job_line_id = line.id;
      const product = await getProduct(line.product_id);
      const from = line.from_location_id && await getLocation(line.from_location_id);
      const to = line.to_location_id && await getLocation(line.to_location_id);
      task.hint = {
        product: product ? `${product.sku} ${product.name}` : '',
        from: from ? from.code : '', to: to ? to.code : '',
        quantity: line.quantity - (line.quantity_done || 0),
      };
    }
  }

  async function acceptLocation(stepDef, code) {
    const location = await findLocation(code);
    if (!location) return feedback.error(`Unknown location ${code}: scan a location label`);
    if (location.archived) return feedback.error(`Location ${location.code} is archived: use another location`);
    if (stepDef.types && !stepDef.types.includes(location.type)) {
      feedback.warning(`${location.code} is a ${location.type.toLowerCase().replace('_', ' ')} location`);
    }
    task.values[stepDef.key] = { raw: code, label: location.code, id: location.id };
    return true;
  }

  async function acceptItem(stepDef, code) {
    const match = await findProduct(code);
    if (!match.ok) return feedback.error(match.message);
    const item = { raw: code, label: `${match.product.sku} · ${match.product.name}`, product_id: match.product.id, units: match.units, batch: match.batch, expiry: match.expiry, serial: match.serial, tracking: match.product.tracking };
    task.values[stepDef.key] = item;
    task.quantity = 1;
    task.serials = match.serial ? [match.serial] : [];
    return true;
  }

  async function advance() {
    while (task.step < def.steps.length && task.values[def.steps[task.step].key]) task.step += 1;
  }

  async function onScan(code) {
    const current = step();
    const item = task.values.item;
    // A repeat scan of the item just scanned counts one more, at any step after the item.
    if (item && (!current || current.kind !== 'item') && code === item.raw && def.countByScan !== false) {
      if (item.tracking === 'SERIAL') return feedback.error('Serial-tracked item: scan each unit\'s own serial label');
      task.quantity += 1;
      await save();
      render();
      feedback.success(`${task.quantity} × ${item.label}`);
      return;
    }
    if (!current) {
      // Every step is filled: scanning the next item saves nothing silently; the operator confirms.
      return feedback.error(`Tap ${def.confirmLabel || 'Save'} to save this line first, then scan ${code}`);
    }
    let ok;
    if (current.kind === 'location') ok = await acceptLocation(current, code);
    else if (current.kind === 'item') {
      if (item && item.tracking === 'SERIAL') {
        const match = await findProduct(code);
        if (match.ok && match.product.id === item.product_id && match.serial) {
          if (task.serials.includes(match.serial)) return feedback.error(`Serial ${match.serial} already scanned`);
          task.serials.push(match.serial);
          task.quantity = task.serials.length;
          await save(); render();
          feedback.success(`${task.quantity} serials`);
          return;
        }
      }
      ok = await acceptItem(current, code);
    }
    if (ok !== true) return;
    await advance();
    await save();
    if (task.step >= def.steps.length && def.autoSave) {
      // Saved: confirm renders the next cycle. Not saved (a full disk): the line stays, Save retries.
      await confirm();
      render();
      return;
    }
    render();
    feedback.success(task.values[current.key].label);
  }

  async function confirm() {
    const missing = def.steps.find((s) => !task.values[s.key]);
    if (missing) return feedback.error(`${missing.prompt} first`);
    const quantity = Number(task.quantity);
    let belowMinimum = quantity <= 0;
    if (def.allowNegative) belowMinimum = false;
    else if (def.allowZero) belowMinimum = quantity < 0;
    const bad = !Number.isInteger(quantity) || belowMinimum;
    if (bad) return feedback.error(def.allowZero ? 'Enter a whole number, 0 or more' : 'Enter a whole quantity above 0');
    const problem = def.check ? def.check(task) : '';
    if (problem) return feedback.error(problem);
    const payload = def.payload(task);
    const summary = def.summary(task);
    const saved = await ctx.commit(def.command, payload, summary);
    if (!saved) return;
    const previous = task;
    task = freshTask(def, previous);
    task.last = summary;
    if (previous.job_id && def.fromJob) await startFromJob(previous.job_id);
    await save();
    render();
  }

  function quantityBlock() {
    const item = task.values.item;
    if (!item) return null;
    const units = item.units > 1 ? ` (${task.quantity * item.units} units)` : '';
    const input = h('input', { id: 'quantity', class: 'qty-input', type: 'number', inputmode: 'numeric', value: String(task.quantity), min: def.allowNegative ? undefined : 0,
      // Once the quantity is entered, the next scan goes to the scan field, not into this number.
      onchange: async (e) => { task.quantity = parseInt(e.target.value, 10) || 0; await save(); focusScan(true); },
      onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); task.quantity = parseInt(e.target.value, 10) || 0; confirm(); } } });
    return h('div', { class: 'qty-row' },
      h('span', { class: 'qty-label' }, (def.quantityLabel || 'Quantity') + units),
      h('button', { class: 'btn qty-btn', type: 'button', 'aria-label': 'less', onclick: async () => { task.quantity -= 1; if (!def.allowNegative && task.quantity < 0) task.quantity = 0; await save(); render(); } }, '−'),
      input,
      h('button', { class: 'btn qty-btn', type: 'button', 'aria-label': 'more', onclick: async () => { task.quantity += 1; await save(); render(); } }, '+'));
  }

  function render() {
    if (!ctx) return;
    const current = step();
    const rows = def.steps.map((s, i) => h('div', { class: `field-row ${i === task.step ? 'current' : ''}`, dataset: { key: s.key } },
      h('span', { class: 'field-name' }, s.label),
      h('span', { class: 'field-value' }, task.values[s.key] ? task.values[s.key].label : '—')));
    const item = task.values.item;
    const details = item ? [
      item.batch ? h('div', { class: 'detail' }, `Batch ${item.batch}`) : null,
      item.expiry ? h('div', { class: 'detail' }, `Expiry ${item.expiry}`) : null,
      task.serials && task.serials.length ? h('div', { class: 'detail' }, `Serials: ${task.serials.join(', ')}`) : null,
    ] : [];
    const extras = def.extras ? def.extras(task, async (key, value) => { task.extra[key] = value; await save(); }) : [];
    const hint = task.hint ? h('div', { class: 'hint' }, `Job: ${task.hint.quantity} × ${task.hint.product}${task.hint.from ? ` from ${task.hint.from}` : ''}${task.hint.to ? ` to ${task.hint.to}` : ''}`) : null;
    replace(ctx.root,
      h('h1', {}, def.title),
      hint,
      h('div', { class: 'prompt', id: 'prompt' }, current ? current.prompt : `Check and tap ${def.confirmLabel || 'Save'}`),
      scanField(current ? current.prompt : 'Scan'),
      h('div', { class: 'fields' }, rows),
      details,
      quantityBlock(),
      extras,
      h('div', { class: 'button-row' },
        h('button', { class: 'btn', type: 'button', id: 'clear', onclick: async () => { task = freshTask(def, def.keepOnClear ? task : {}); await save(); render(); } }, 'Clear'),
        h('button', { class: 'btn btn-primary', type: 'button', id: 'confirm', disabled: Boolean(current), onclick: () => confirm() }, def.confirmLabel || 'Save')),
      task.last ? h('div', { class: 'last' }, `Saved: ${task.last}`) : null);
    focusScan();
  }

  return {
    id: def.id,
    title: def.title,
    async mount(context, params = {}) {
      ctx = context;
      task = (await loadTask(def.id)) || freshTask(def);
      if (params.job && params.job !== task.job_id) await startFromJob(params.job);
      await save();
      render();
    },
    unmount() { ctx = null; },
    onScan,
    confirm,
    task: () => task,
  };
}
