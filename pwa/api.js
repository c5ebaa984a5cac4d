// Calls to the WMS server with the signed-in token. Network failures and HTTP errors come back as
// values the caller can switch on; nothing here retries (the outbox owns retries).

import { session } from './state.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || `http_${status}`;
  }
}

export class NetworkError extends Error {}

const listeners = new Set();
/** Call `fn()` whenever the server answers 401 to a signed-in request. */
export const onUnauthorized = (fn) => listeners.add(fn);

/** Send a request; resolve with the decoded JSON, or throw ApiError / NetworkError. */
export async function api(path, { method = 'GET', body, signal, auth = true, timeoutMs = 20000, token = null } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const current = session();
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (auth && current && current.token) headers.Authorization = `Bearer ${current.token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  if (signal) signal.addEventListener('abort', () => controller.abort());
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal, cache: 'no-store',
    });
  } catch (err) {
    throw new NetworkError(`cannot reach the server (${err.name === 'AbortError' ? 'timed out' : err.message})`);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) { try { data = JSON.parse(text); } catch (_) { data = { message: text.slice(0, 200) }; } }
  if (!response.ok) {
    if (response.status === 401 && auth && !token && current) listeners.forEach((fn) => fn());
    throw new ApiError(response.status, data);
  }
  return data;
}
