// Supervisor order board: signs in, lists orders over REST and keeps them current over /ws.
//
// Live protocol (see app/domain/live/schemas.py): after the socket opens the board sends
// {type: "auth", token}, then {type: "subscribe", warehouse_id, last_seq}. The server replays
// every change after last_seq, or sends {type: "resync"} when too many were missed, in which case
// the board reloads its list over REST. A dropped socket reconnects with exponential backoff and
// resumes from the newest seq the board has applied.

const TOKEN_KEY = "wms.board.token";
const WAREHOUSE_KEY = "wms.board.warehouse";
const PAGE_SIZE = 200;
const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const PING_INTERVAL_MS = 25000;

const $ = (selector) => document.querySelector(selector);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  warehouses: [],
  warehouse: null,
  orders: new Map(),
  lastSeq: 0,
  socket: null,
  backoff: BACKOFF_START_MS,
  reconnectTimer: null,
  pingTimer: null,
  signedOut: false,
};

class HttpError extends Error {
  constructor(status, body) {
    super((body && body.message) || `request failed with HTTP ${status}`);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 401 && path !== "/api/v1/auth/login") {
    signOut("Your session has ended: sign in again.");
  }
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

// ---- Sign-in -------------------------------------------------------------------------------

function showSignIn(message = "") {
  $("#sign-in").hidden = false;
  $("#board").hidden = true;
  $("#sign-out").hidden = true;
  $("#sign-in-error").textContent = message;
  // No socket runs before sign-in; "offline" here would read as a server fault.
  setLiveStatus("signed out");
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  $("#sign-in-error").textContent = "";
  try {
    const body = await api("/api/v1/auth/login", {
      method: "POST",
      body: { username: String(data.get("username")), password: String(data.get("password")) },
    });
    state.token = body.token;
    state.signedOut = false;
    sessionStorage.setItem(TOKEN_KEY, body.token);
    form.reset();
    await showBoard();
  } catch (error) {
    $("#sign-in-error").textContent = error.message;
  }
}

function signOut(message = "") {
  state.signedOut = true;
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  disconnect();
  state.orders.clear();
  renderAll();
  showSignIn(message);
}

// ---- Orders --------------------------------------------------------------------------------

function summaryFromDetail(detail) {
  const active = detail.lines.filter((line) => line.active);
  return {
    id: detail.id,
    account: detail.account,
    warehouse_id: detail.warehouse_id,
    order_number: detail.order_number,
    status: detail.status,
    tracking_number: detail.tracking_number,
    tracking_status: detail.tracking_status,
    units_ordered: active.reduce((sum, line) => sum + line.ordered, 0),
    units_shipped: active.reduce((sum, line) => sum + line.shipped, 0),
    created_at: detail.created_at,
    updated_at: detail.updated_at,
  };
}

function matchesFilters(order) {
  if (state.warehouse && order.warehouse_id !== state.warehouse.id) return false;
  const status = $("#status").value;
  if (status && order.status !== status) return false;
  const number = $("#order-number").value.trim();
  if (number && order.order_number !== number) return false;
  return true;
}

async function loadOrders() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.warehouse) params.set("warehouse", state.warehouse.code);
  const status = $("#status").value;
  if (status) params.set("status", status);
  const number = $("#order-number").value.trim();
  if (number) params.set("order_number", number);
  const page = await api(`/api/v1/orders?${params}`);
  state.orders = new Map(page.items.map((order) => [order.id, order]));
  // The snapshot was read after last_seq, so resuming from it can repeat a change but never skip one.
  state.lastSeq = page.last_seq;
  renderAll();
}

// Orders being fetched, and those that changed again meanwhile: a burst of changes to one order
// costs at most two requests.
const refreshing = new Set();
const refreshAgain = new Set();

async function refreshOrder(orderId) {
  if (refreshing.has(orderId)) {
    refreshAgain.add(orderId);
    return;
  }
  refreshing.add(orderId);
  try {
    const detail = await api(`/api/v1/orders/${orderId}`);
    const summary = summaryFromDetail(detail);
    if (matchesFilters(summary)) {
      state.orders.set(orderId, summary);
    } else {
      state.orders.delete(orderId);
    }
    renderAll(orderId);
  } catch (error) {
    showMessage(`Order ${orderId} could not be loaded: ${error.message}`);
  } finally {
    refreshing.delete(orderId);
    if (refreshAgain.delete(orderId)) refreshOrder(orderId);
  }
}

function applyStatusChange(change) {
  state.lastSeq = Math.max(state.lastSeq, change.seq);
  const known = state.orders.get(change.order_id);
  if (known) {
    known.status = change.status;
    known.updated_at = change.at;
    if (!matchesFilters(known)) state.orders.delete(change.order_id);
    renderAll(change.order_id);
  }
  // Fetch the order for its units and tracking, and to add orders the board has not seen yet.
  refreshOrder(change.order_id);
}

function applyTrackingChange(change) {
  const known = state.orders.get(change.order_id);
  if (!known) return;
  known.tracking_status = change.tracking_status;
  if (change.tracking_number) known.tracking_number = change.tracking_number;
  renderAll(change.order_id);
}

// ---- Rendering -----------------------------------------------------------------------------

const STATUS_CLASS = {
  PENDING: "status-pending",
  RELEASED: "status-released",
  PARTIALLY_SHIPPED: "status-partial",
  SHIPPED: "status-shipped",
  CANCELLED: "status-cancelled",
};

function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderRow(order) {
  const tr = document.createElement("tr");
  tr.dataset.orderId = order.id;
  tr.append(cell(order.order_number, "order-number"), cell(order.account));
  const statusCell = document.createElement("td");
  const badge = document.createElement("span");
  badge.className = `badge ${STATUS_CLASS[order.status] || ""}`;
  badge.dataset.status = order.status;
  badge.textContent = order.status.replaceAll("_", " ");
  statusCell.append(badge);
  tr.append(
    statusCell,
    cell(`${order.units_shipped} / ${order.units_ordered}`, "num"),
    cell([order.tracking_status, order.tracking_number].filter(Boolean).join(" · "), "tracking"),
    cell(formatTime(order.updated_at), "time"),
  );
  return tr;
}

function renderAll(changedId = null) {
  const tbody = $("#orders tbody");
  // Newest first; ISO timestamps in UTC sort correctly as strings.
  const orders = [...state.orders.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  tbody.replaceChildren(...orders.map(renderRow));
  $("#empty").hidden = orders.length > 0;
  if (changedId) {
    const row = tbody.querySelector(`tr[data-order-id="${CSS.escape(changedId)}"]`);
    if (row) row.classList.add("flash");
  }
}

function showMessage(text) {
  const message = $("#board-message");
  message.textContent = text;
  message.hidden = !text;
}

function setLiveStatus(status) {
  const pill = $("#live-status");
  pill.textContent = status;
  let style = "connecting";
  if (status === "live") style = "live";
  else if (status === "offline" || status === "signed out") style = "offline";
  pill.className = `pill pill-${style}`;
  document.body.dataset.live = status;
}

// ---- Live socket ---------------------------------------------------------------------------

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws`;
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

function subscribe() {
  if (!state.warehouse) return;
  send({ type: "subscribe", warehouse_id: state.warehouse.id, last_seq: state.lastSeq });
}

function connect() {
  disconnect();
  if (!state.token) return;
  setLiveStatus("connecting");
  const socket = new WebSocket(socketUrl());
  state.socket = socket;
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "auth", token: state.token })));
  socket.addEventListener("message", (event) => {
    if (socket !== state.socket) return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    onSocketMessage(message);
  });
  socket.addEventListener("close", () => {
    if (socket !== state.socket) return;
    state.socket = null;
    clearInterval(state.pingTimer);
    if (!state.signedOut) scheduleReconnect();
  });
}

function disconnect() {
  clearTimeout(state.reconnectTimer);
  clearInterval(state.pingTimer);
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close(1000, "board closed the socket");
}

function scheduleReconnect() {
  setLiveStatus("reconnecting");
  // Full jitter keeps a room of tablets from reconnecting in lockstep after a server restart.
  const delay = Math.round(state.backoff / 2 + Math.random() * (state.backoff / 2));
  state.backoff = Math.min(state.backoff * 2, BACKOFF_MAX_MS);
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = setTimeout(connect, delay);
}

function onSocketMessage(message) {
  switch (message.type) {
    case "ready":
      subscribe();
      state.pingTimer = setInterval(() => send({ type: "ping" }), PING_INTERVAL_MS);
      break;
    case "subscribed":
      state.backoff = BACKOFF_START_MS;
      state.lastSeq = Math.max(state.lastSeq, message.last_seq);
      setLiveStatus("live");
      showMessage("");
      break;
    case "order_status":
      applyStatusChange(message);
      break;
    case "order_tracking":
      applyTrackingChange(message);
      break;
    case "resync":
      loadOrders().catch((error) => showMessage(`Reloading orders failed: ${error.message}`));
      break;
    case "error":
      if (message.code === "not_authenticated") {
        signOut("Your session has ended: sign in again.");
      } else {
        showMessage(message.message);
      }
      break;
    default:
      break;
  }
}

// ---- Start-up ------------------------------------------------------------------------------

async function selectWarehouse(id) {
  const previous = state.warehouse;
  state.warehouse = state.warehouses.find((warehouse) => warehouse.id === id) || state.warehouses[0] || null;
  if (state.warehouse) localStorage.setItem(WAREHOUSE_KEY, state.warehouse.id);
  if (previous && state.socket && previous.id !== state.warehouse?.id) {
    send({ type: "unsubscribe", warehouse_id: previous.id });
  }
  await loadOrders();
  subscribe();
}

async function showBoard() {
  $("#sign-in").hidden = true;
  $("#board").hidden = false;
  $("#sign-out").hidden = false;
  try {
    state.warehouses = await api("/api/v1/warehouses");
    const select = $("#warehouse");
    select.replaceChildren(
      ...state.warehouses.map((warehouse) => {
        const option = document.createElement("option");
        option.value = warehouse.id;
        option.textContent = `${warehouse.code} · ${warehouse.name}`;
        return option;
      }),
    );
    const saved = localStorage.getItem(WAREHOUSE_KEY);
    state.warehouse = state.warehouses.find((warehouse) => warehouse.id === saved) || state.warehouses[0] || null;
    if (state.warehouse) select.value = state.warehouse.id;
    await loadOrders();
    connect();
  } catch (error) {
    if (state.token) showMessage(`Loading the board failed: ${error.message}`);
  }
}

function onFilterChange(event) {
  if (event.target.id === "warehouse") {
    selectWarehouse(event.target.value).catch((error) => showMessage(error.message));
    return;
  }
  loadOrders().catch((error) => showMessage(error.message));
}

$("#sign-in-form").addEventListener("submit", onSignIn);
$("#sign-out").addEventListener("click", () => signOut());
$("#filters").addEventListener("change", onFilterChange);
$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  loadOrders().catch((error) => showMessage(error.message));
});
window.addEventListener("online", () => {
  if (state.token && !state.socket) {
    state.backoff = BACKOFF_START_MS;
    connect();
  }
});

if (state.token) {
  showBoard();
} else {
  showSignIn();
}
