// The scan flows built on flow.js: receive, put away, move, count and adjust. Each payload carries
// the RAW scans; the server reads them again with the same interpreter.
// NOTE: a scanner set to send a substitute GS1 separator (Settings) sends it in the raw scan; the
// server reads it without the device's settings, so such labels may be rejected there.

import { h } from '../ui.js';
import { flowScreen } from './flow.js';

const typedBatch = (task) => (task.extra.batch && !task.values.item.batch ? task.extra.batch : undefined);

function textInput(id, label, value, onchange, attrs = {}) {
  return h('label', { class: 'text-label' }, label,
    h('input', { id, class: 'text-input', type: 'text', value: value || '', autocomplete: 'off', onchange: (e) => onchange(e.target.value.trim()), ...attrs }));
}

const itemSummary = (task) => `${task.quantity} × ${task.values.item.label}`;

export const receive = flowScreen({
  id: 'receive',
  title: 'Receive',
  command: 'receive',
  steps: [
    { key: 'location', kind: 'location', label: 'Dock', prompt: 'Scan the receiving location' },
    { key: 'item', kind: 'item', label: 'Item', prompt: 'Scan an item' },
  ],
  keep: ['location'],
  keepExtra: ['purchase_order'],
  confirmLabel: 'Receive',
  extras: (task, set) => {
    const item = task.values.item;
    const needsBatch = item && !item.batch && ['BATCH', 'EXPIRY', 'LOT'].includes(item.tracking);
    return [
      textInput('purchase-order', 'Purchase order (optional)', task.extra.purchase_order, (v) => set('purchase_order', v)),
      needsBatch ? textInput('batch', 'Batch (not on the label)', task.extra.batch, (v) => set('batch', v)) : null,
      needsBatch && !item.expiry ? textInput('expiry', 'Expiry YYYY-MM-DD', task.extra.expiry, (v) => set('expiry', v), { inputmode: 'numeric' }) : null,
    ];
  },
  check: (task) => {
    const item = task.values.item;
    if (item.tracking === 'SERIAL' && (task.serials || []).length !== task.quantity) return 'Scan each unit\'s serial label: the quantity must match the serials scanned';
    if (task.extra.expiry && !/^\d{4}-\d{2}-\d{2}$/.test(task.extra.expiry)) return 'Expiry must be written YYYY-MM-DD';
    return '';
  },
  payload: (task) => {
    const payload = { location: task.values.location.raw, item: task.values.item.raw, quantity: task.quantity };
    if (task.extra.purchase_order) payload.purchase_order = task.extra.purchase_order;
    const batch = typedBatch(task);
    if (batch) payload.batch = batch;
    if (batch && task.extra.expiry) payload.expiry = task.extra.expiry;
    if (task.serials && task.serials.length) payload.serials = task.serials;
    return payload;
  },
  summary: (task) => `received ${itemSummary(task)} into ${task.values.location.label}`,
});

export const putaway = flowScreen({
  id: 'putaway',
  title: 'Put away',
  command: 'putaway',
  fromJob: true,
  autoSave: true,
  steps: [
    { key: 'from_location', kind: 'location', label: 'From', prompt: 'Scan the location to take from' },
    { key: 'item', kind: 'item', label: 'Item', prompt: 'Scan the item' },
    { key: 'to_location', kind: 'location', label: 'To', prompt: 'Set the quantity, then scan the shelf' },
  ],
  keep: ['from_location'],
  payload: (task) => {
    const payload = { from_location: task.values.from_location.raw, item: task.values.item.raw, quantity: task.quantity, to_location: task.values.to_location.raw };
    if (task.job_id) payload.job_id = task.job_id;
    return payload;
  },
  summary: (task) => `put away ${itemSummary(task)} ${task.values.from_location.label} → ${task.values.to_location.label}`,
});

export const move = flowScreen({
  id: 'move',
  title: 'Move',
  command: 'move',
  autoSave: true,
  steps: [
    { key: 'from_location', kind: 'location', label: 'From', prompt: 'Scan the FROM location' },
    { key: 'item', kind: 'item', label: 'Item', prompt: 'Scan the item' },
    { key: 'to_location', kind: 'location', label: 'To', prompt: 'Set the quantity, then scan the TO location' },
  ],
  keep: ['from_location'],
  payload: (task) => {
    const payload = { from_location: task.values.from_location.raw, item: task.values.item.raw, quantity: task.quantity, to_location: task.values.to_location.raw };
    const batch = typedBatch(task);
    if (batch) payload.batch = batch;
    return payload;
  },
  summary: (task) => `moved ${itemSummary(task)} ${task.values.from_location.label} → ${task.values.to_location.label}`,
});

export const count = flowScreen({
  id: 'count',
  title: 'Count',
  command: 'count',
  allowZero: true,
  quantityLabel: 'Counted',
  confirmLabel: 'Save count',
  steps: [
    { key: 'location', kind: 'location', label: 'Location', prompt: 'Scan the location to count' },
    { key: 'item', kind: 'item', label: 'Item', prompt: 'Scan an item (scan each unit, or type the count)' },
  ],
  keep: ['location'],
  keepExtra: ['stocktake_id'],
  extras: (task, set) => [textInput('stocktake', 'Stocktake (optional)', task.extra.stocktake_id, (v) => set('stocktake_id', v))],
  payload: (task) => {
    const payload = { location: task.values.location.raw, item: task.values.item.raw, counted_quantity: task.quantity };
    if (task.extra.stocktake_id) payload.stocktake_id = task.extra.stocktake_id;
    const batch = typedBatch(task);
    if (batch) payload.batch = batch;
    return payload;
  },
  summary: (task) => `counted ${itemSummary(task)} at ${task.values.location.label}`,
});

export const REASONS = ['damaged', 'found', 'lost', 'expired', 'correction'];

export const adjust = flowScreen({
  id: 'adjust',
  title: 'Adjust',
  command: 'adjust',
  allowNegative: true,
  quantityLabel: 'Change (+ add, − remove)',
  confirmLabel: 'Adjust',
  defaults: { reason_code: '' },
  steps: [
    { key: 'location', kind: 'location', label: 'Location', prompt: 'Scan the location' },
    { key: 'item', kind: 'item', label: 'Item', prompt: 'Scan the item' },
  ],
  keep: ['location'],
  extras: (task, set) => [
    h('label', { class: 'text-label' }, 'Reason',
      h('select', { id: 'reason', class: 'text-input', onchange: (e) => set('reason_code', e.target.value) },
        h('option', { value: '' }, 'Choose a reason'),
        REASONS.map((r) => h('option', { value: r, selected: task.extra.reason_code === r }, r)))),
    textInput('note', 'Note (optional)', task.extra.note, (v) => set('note', v)),
  ],
  check: (task) => {
    if (!task.extra.reason_code) return 'Choose a reason for the adjustment';
    if (task.quantity === 0) return 'The change is 0: enter how many to add (+) or remove (−)';
    return '';
  },
  payload: (task) => {
    const payload = { location: task.values.location.raw, item: task.values.item.raw, quantity_change: task.quantity, reason_code: task.extra.reason_code };
    const batch = typedBatch(task);
    if (batch) payload.batch = batch;
    if (task.extra.note) payload.note = task.extra.note;
    return payload;
  },
  summary: (task) => `adjusted ${task.quantity > 0 ? '+' : ''}${task.quantity} × ${task.values.item.label} at ${task.values.location.label} (${task.extra.reason_code})`,
});
