// Settings: the scanner's prefix, suffix and separator, sound and vibration, storage, versions,
// reference data refresh and sign-out.

import { h, replace } from '../ui.js';
import { settings, saveSettings, deviceId } from '../state.js';
import { refreshReference, referenceAge } from '../reference.js';
import * as feedback from '../feedback.js';

const printable = (text) => [...(text || '')].map((c) => (c.charCodeAt(0) < 32 ? `<${c.charCodeAt(0)}>` : c)).join('');

export function settingsScreen() {
  let ctx = null;

  async function render() {
    if (!ctx) return;
    const s = settings();
    const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate().catch(() => null) : null;
    const persisted = navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted().catch(() => false) : false;
    const refAt = await referenceAge();
    const field = (key, label, attrs = {}) => h('label', { class: 'text-label' }, label,
      h('input', { class: 'text-input', id: `set-${key}`, value: String(s[key] ?? ''), autocomplete: 'off', ...attrs,
        onchange: async (e) => { const v = attrs.type === 'number' ? Number(e.target.value) : e.target.value; await saveSettings({ [key]: v }); feedback.success(`${label} saved`); } }));
    if (!ctx) return;
    replace(ctx.root,
      h('h1', {}, 'Settings'),
      h('h2', {}, 'Scanner'),
      field('prefix', 'Prefix the scanner sends (stripped)'),
      field('suffix', 'Extra suffix character (Enter and Tab always end a scan)'),
      field('separator', 'Substitute for the GS1 separator (e.g. |)'),
      field('maxGapMs', 'Scanner key gap, ms', { type: 'number', inputmode: 'numeric' }),
      h('label', { class: 'check-label' }, h('input', { type: 'checkbox', checked: s.sound, onchange: (e) => saveSettings({ sound: e.target.checked }) }), ' Sound'),
      h('label', { class: 'check-label' }, h('input', { type: 'checkbox', checked: s.vibrate, onchange: (e) => saveSettings({ vibrate: e.target.checked }) }), ' Vibration'),
      h('div', { class: 'button-row' },
        h('button', { class: 'btn', id: 'test-success', onclick: () => feedback.success('Test: success') }, 'Test beep'),
        h('button', { class: 'btn', id: 'test-error', onclick: () => feedback.error('Test: error lock') }, 'Test error')),
      h('h2', {}, 'This device'),
      h('div', { class: 'detail', id: 'device-id' }, `Device ${deviceId()}`),
      h('div', { class: 'detail' }, `App version ${document.documentElement.dataset.version}`),
      h('div', { class: 'detail' }, estimate ? `Storage: ${(estimate.usage / 1e6).toFixed(1)} MB used of ${(estimate.quota / 1e6).toFixed(0)} MB${persisted ? ', kept by the browser (persistent)' : ', may be cleared by the browser (not persistent)'}` : 'Storage: unknown'),
      h('div', { class: 'detail' }, `Reference data from ${refAt || 'never'}; last scan seen ${printable(ctx.lastScan())}`),
      h('div', { class: 'button-row' },
        h('button', { class: 'btn', id: 'refresh-reference', onclick: async () => { try { await refreshReference({ full: true }); feedback.success('Reference data refreshed'); render(); } catch (err) { feedback.error(err.message, { lock: false }); } } }, 'Reload products & locations'),
        h('button', { class: 'btn btn-warn', id: 'sign-out', onclick: () => ctx.signOut() }, 'Sign out')));
  }

  return {
    id: 'settings', title: 'Settings',
    async mount(context) { ctx = context; await render(); },
    unmount() { ctx = null; },
    onScan: null,
  };
}
