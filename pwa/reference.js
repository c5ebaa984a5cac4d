// Reference data for offline work (products with their barcodes, locations, open jobs), kept in
// IndexedDB and refreshed as deltas from GET /api/v1/sync/reference?since=<cursor>. Scans are looked
// up here, so the device gives its result at once with or without the network.

import { transaction, req, get, all, getByIndex } from './idb.js';
import { api } from './api.js';
import { kvGet, kvPut, settings } from './state.js';

let interpreter = null;
let interpreterError = '';

/** Load the barcode interpreter twin (pwa/barcodes.js). */
export async function loadInterpreter() {
  try {
    const module = await import('./barcodes.js');
    interpreter = module.interpret;
  } catch (err) {
    interpreterError = `barcode interpreter missing (${err.message}): GS1 labels cannot be read offline`;
    console.error(interpreterError);
  }
  return interpreterError;
}

/**
 * Interpret a scan with the device's scanner settings (barcodes.js). Resolves to the interpreter's
 * result plus `ok`: {ok:true, kind, text, gtin?, batch?, expiry?, serial?, ...} or {ok:false, code,
 * message} on a bad read.
 */
export function interpretScan(raw) {
  if (!interpreter) return { ok: true, kind: 'code', text: raw };
  // The scanner capture has already stripped the prefix and suffix; the separator still matters.
  const { separator } = settings();
  let result;
  try {
    result = interpreter(raw, { prefix: '', suffix: '', separator: separator || '' });
  } catch (err) {
    return { ok: false, code: 'interpreter_failed', message: `cannot read this code (${err.message}): rescan` };
  }
  if (result.kind === 'error') return { ok: false, code: result.code, message: result.message };
  return { ok: true, ...result };
}

/** Fetch what changed since the last refresh and store it. Returns the number of rows received. */
export async function refreshReference({ full = false } = {}) {
  const cursor = full ? null : await kvGet('reference_cursor');
  const query = cursor ? `?since=${encodeURIComponent(cursor)}` : '';
  const data = await api(`/api/v1/sync/reference${query}`);
  await transaction(['products', 'barcodes', 'locations', 'jobs', 'kv'], 'readwrite', async (s) => {
    if (data.full) {
      s.products.clear(); s.barcodes.clear(); s.locations.clear(); s.jobs.clear();
    }
    for (const product of data.products || []) {
      const { barcodes = [], ...rest } = product;
      // A product's barcodes arrive complete: drop the ones it no longer has.
      const old = await req(s.barcodes.index('product').getAll(product.id));
      for (const row of old) s.barcodes.delete(row.code);
      s.products.put(rest);
      for (const barcode of barcodes) s.barcodes.put({ ...barcode, product_id: product.id });
    }
    for (const location of data.locations || []) s.locations.put(location);
    for (const job of data.jobs || []) s.jobs.put(job);
    for (const id of data.closed_job_ids || []) s.jobs.delete(id);
    s.kv.put(data.cursor, 'reference_cursor');
    s.kv.put(new Date().toISOString(), 'reference_at');
  });
  return (data.products || []).length + (data.locations || []).length + (data.jobs || []).length;
}

export const referenceAge = () => kvGet('reference_at');

// GTINs are stored 14 digits long; a scanned GTIN-8/12/13 is padded the same way.
const gtin14 = (digits) => (/^\d{8}$|^\d{12,14}$/.test(digits) ? digits.padStart(14, '0') : null);

/**
 * Find the product a scan names. Resolves {ok:true, product, units, batch, expiry, serial, raw} or
 * {ok:false, code, message}; a bad read (wrong check digit, missing separator) is an error saying to
 * rescan, and nothing is queued for it.
 */
export async function findProduct(raw) {
  const parsed = interpretScan(raw);
  if (!parsed.ok) return { ok: false, code: parsed.code, message: parsed.message || 'cannot read this code: rescan' };
  const candidates = [];
  if (parsed.gtin) candidates.push(gtin14(parsed.gtin) || parsed.gtin);
  const plain = parsed.kind === 'code' && parsed.text ? parsed.text : raw;
  candidates.push(plain);
  const digits = gtin14(plain);
  if (digits) candidates.push(digits);
  for (const code of candidates) {
    const barcode = await get('barcodes', code);
    if (barcode) {
      const product = await get('products', barcode.product_id);
      if (product) return { ok: true, product, units: barcode.units || 1, batch: parsed.batch || '', expiry: parsed.expiry || '', serial: parsed.serial || '', raw };
    }
  }
  const bySku = await getByIndex('products', 'sku', plain);
  if (bySku) return { ok: true, product: bySku, units: 1, batch: parsed.batch || '', expiry: parsed.expiry || '', serial: parsed.serial || '', raw };
  if (await findLocation(raw)) return { ok: false, code: 'location_not_item', message: `${raw} is a location, not an item: scan the item` };
  return { ok: false, code: 'unknown_product', message: `unknown item ${parsed.gtin || plain}: check the label or ask a supervisor` };
}

/** Find the location a scan names (by its barcode or its code), or null. */
export async function findLocation(raw) {
  const text = raw.trim();
  return (await getByIndex('locations', 'barcode', text))
    || (await getByIndex('locations', 'code', text))
    || (await getByIndex('locations', 'code', text.toUpperCase()))
    || null;
}

export const getProduct = (id) => get('products', id);
export const getLocation = (id) => get('locations', id);
export const getJob = (id) => get('jobs', id);
export const listJobs = () => all('jobs');
export const listLocations = () => all('locations');

/** Record progress on a job line locally, so the screen shows it before the server has applied the pick. */
export async function noteJobProgress(jobId, lineId, quantity) {
  await transaction(['jobs'], 'readwrite', async (s) => {
    const job = await req(s.jobs.get(jobId));
    if (!job) return;
    for (const line of job.lines || []) if (line.id === lineId) line.quantity_done = (line.quantity_done || 0) + quantity;
    s.jobs.put(job);
  });
}
