// DOM helpers shared by the screens. No framework: screens rebuild their small DOM on each change.

/** Build an element: h('button', {class: 'big', onclick: fn}, 'Save'). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Build a scan field that keeps the phone keyboard hidden (inputmode none) and takes scanner and typed codes. */
export function scanField(label, id = 'scan-input') {
  return h('label', { class: 'scan-label' }, label,
    h('input', { id, class: 'scan-input', type: 'text', inputmode: 'none', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', dataset: { scan: '' }, 'aria-label': label }));
}

/** Focus the screen's scan field unless the operator is typing in another field. */
export function focusScan(force = false) {
  const active = document.activeElement;
  if (!force && active && active.matches && active.matches('input:not([data-scan]), textarea, select')) return;
  const field = document.querySelector('#screen [data-scan]');
  if (field) field.focus({ preventScroll: true });
}

export function replace(root, ...children) {
  root.replaceChildren(...children.flat(Infinity).filter(Boolean));
}

/** Ask for a short text (a reason); resolves with the text or null when cancelled. */
export function askText(title, { placeholder = '', choices = [] } = {}) {
  return new Promise((resolve) => {
    const dialog = document.getElementById('dialog');
    const input = h('input', { type: 'text', class: 'text-input', placeholder, id: 'dialog-input' });
    const finish = (value) => { dialog.hidden = true; dialog.replaceChildren(); resolve(value); };
    dialog.replaceChildren(h('div', { class: 'dialog-box' },
      h('h2', {}, title),
      choices.length ? h('div', { class: 'choice-row' }, choices.map((c) => h('button', { class: 'btn', type: 'button', onclick: () => finish(c) }, c))) : null,
      input,
      h('div', { class: 'button-row' },
        h('button', { class: 'btn', type: 'button', onclick: () => finish(null) }, 'Cancel'),
        h('button', { class: 'btn btn-primary', type: 'button', id: 'dialog-ok', onclick: () => { if (input.value.trim()) finish(input.value.trim()); } }, 'OK'))));
    dialog.hidden = false;
    input.focus();
  });
}

export function formatTime(iso) {
  try { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }); } catch (_) { return iso; }
}
