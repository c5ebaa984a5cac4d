// IndexedDB in promises: the device's durable store for the outbox, history, reference data and task state.
//
// Upgrades only ever ADD stores or indexes. The outbox must survive every app update, so no version of
// this file may delete or clear a store that holds commands (outbox, history, attention).

export const DB_NAME = 'wms-handheld';
export const DB_VERSION = 1;

const STORES = {
  kv: {},                                                   // device id, auth, settings, cursors, task state
  outbox: { keyPath: 'command_id', indexes: { seq: 'device_seq' } },
  history: { keyPath: 'command_id', indexes: { seq: 'device_seq' } },
  attention: { keyPath: 'command_id' },
  products: { keyPath: 'id', indexes: { sku: 'sku' } },
  barcodes: { keyPath: 'code', indexes: { product: 'product_id' } },
  locations: { keyPath: 'id', indexes: { barcode: 'barcode', code: 'code' } },
  jobs: { keyPath: 'id' },
};

let dbPromise = null;

/** Open (and create or upgrade) the database once per page. */
export function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const tx = request.transaction;
      for (const [name, spec] of Object.entries(STORES)) {
        const store = db.objectStoreNames.contains(name)
          ? tx.objectStore(name)
          : db.createObjectStore(name, spec.keyPath ? { keyPath: spec.keyPath } : undefined);
        for (const [index, keyPath] of Object.entries(spec.indexes || {})) {
          if (!store.indexNames.contains(index)) store.createIndex(index, keyPath);
        }
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab opened a newer version: close so its upgrade can run; this tab reloads into it.
      db.onversionchange = () => { db.close(); dbPromise = null; };
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the app is open in another tab with an older version: close it'));
  });
  return dbPromise;
}

/**
 * Run `work(stores)` in one transaction over `names` and resolve with its return value once the
 * transaction has COMMITTED (oncomplete), which is when the data is durable. Rejects with the
 * transaction's error, for example a QuotaExceededError when the disk is full.
 */
export async function transaction(names, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    let result;
    let tx;
    try {
      tx = db.transaction(names, mode, { durability: 'strict' });
    } catch (err) {
      reject(err);
      return;
    }
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('transaction aborted', 'AbortError'));
    Promise.resolve()
      .then(() => work(stores, tx))
      .then((value) => { result = value; })
      .catch((err) => { try { tx.abort(); } catch (_) { /* already finished */ } reject(err); });
  });
}

/** Wrap one IDBRequest in a promise. */
export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export const get = (store, key) => transaction([store], 'readonly', (s) => req(s[store].get(key)));
export const put = (store, value, key) => transaction([store], 'readwrite', (s) => req(key === undefined ? s[store].put(value) : s[store].put(value, key)));
export const del = (store, key) => transaction([store], 'readwrite', (s) => req(s[store].delete(key)));
export const all = (store) => transaction([store], 'readonly', (s) => req(s[store].getAll()));
export const count = (store) => transaction([store], 'readonly', (s) => req(s[store].count()));
export const getByIndex = (store, index, key) => transaction([store], 'readonly', (s) => req(s[store].index(index).get(key)));

/** Return up to `limit` values of `store` in `index` order (ascending, or descending with `reverse`). */
export function listByIndex(store, index, limit, reverse = false) {
  return transaction([store], 'readonly', (s) => new Promise((resolve, reject) => {
    const out = [];
    const cursorRequest = s[store].index(index).openCursor(null, reverse ? 'prev' : 'next');
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (!cursor || out.length >= limit) { resolve(out); return; }
      out.push(cursor.value);
      cursor.continue();
    };
    cursorRequest.onerror = () => reject(cursorRequest.error);
  }));
}

/** True when `err` means the device has no room left to store data. */
export function isQuotaError(err) {
  if (!err) return false;
  return err.name === 'QuotaExceededError' || err.code === 22 || /quota|disk is full|no space/i.test(String(err.message || err));
}
