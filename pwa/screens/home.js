// Home: the operator's jobs and the open jobs, the screens, pending and needs-attention counts and
// the connection state (also shown in the status bar on every screen).

import { h, replace, scanField, focusScan } from '../ui.js';
import { listJobs, getLocation, getProduct, findLocation, findProduct } from '../reference.js';
import { session } from '../state.js';
import * as feedback from '../feedback.js';

const JOB_SCREEN = { PICK: 'pick', PUTAWAY: 'putaway', CYCLE_COUNT: 'count', REPLENISHMENT: 'move', RETURN_TO_STOCK: 'putaway' };
const TILES = [
  ['receive', 'Receive'], ['putaway', 'Put away'], ['pick', 'Pick'], ['pack', 'Pack'],
  ['move', 'Move'], ['count', 'Count'], ['adjust', 'Adjust'], ['history', 'History'],
  ['attention', 'Needs attention'], ['settings', 'Settings'],
];

async function jobCard(job, ctx) {
  const first = (job.lines || [])[0];
  const location = first && first.from_location_id ? await getLocation(first.from_location_id) : null;
  const product = first ? await getProduct(first.product_id) : null;
  const left = (job.lines || []).reduce((sum, l) => sum + Math.max(0, l.quantity - (l.quantity_done || 0)), 0);
  const screen = JOB_SCREEN[job.type] || 'move';
  return h('button', { class: 'job-card', type: 'button', dataset: { job: job.id, type: job.type }, onclick: () => ctx.navigate(screen, { job: job.id }) },
    h('span', { class: 'job-type' }, job.type.replace('_', ' ')),
    h('span', { class: 'job-detail' }, `${(job.lines || []).length} lines, ${left} units left`),
    h('span', { class: 'job-detail' }, [location ? `from ${location.code}` : '', product ? product.sku : ''].filter(Boolean).join(' · ')),
    job.status === 'PAUSED' ? h('span', { class: 'job-paused' }, 'PAUSED') : null);
}

export function homeScreen() {
  let ctx = null;

  async function render() {
    if (!ctx) return;
    const me = session() && session().user;
    const jobs = (await listJobs()).filter((j) => !['COMPLETED', 'CANCELLED', 'FAILED'].includes(j.status));
    const mine = jobs.filter((j) => me && j.assigned_to_id === me.id);
    const open = jobs.filter((j) => !j.assigned_to_id);
    const counts = await ctx.counts();
    if (!ctx) return;
    replace(ctx.root,
      h('h1', {}, `Hello ${me ? me.username : ''}`),
      h('div', { class: 'summary' },
        h('button', { class: 'summary-box', id: 'home-pending', onclick: () => ctx.navigate('history') }, h('strong', {}, String(counts.pending)), ' waiting to send'),
        h('button', { class: `summary-box ${counts.attention ? 'alert' : ''}`, id: 'home-attention', onclick: () => ctx.navigate('attention') }, h('strong', {}, String(counts.attention)), ' need attention'),
        h('div', { class: 'summary-box', id: 'home-connection' }, ctx.connectionText())),
      scanField('Scan a location or item to look it up', 'home-scan'),
      h('h2', {}, `My jobs (${mine.length})`),
      h('div', { class: 'job-list', id: 'my-jobs' }, await Promise.all(mine.map((j) => jobCard(j, ctx)))),
      h('h2', {}, `Open jobs (${open.length})`),
      h('div', { class: 'job-list', id: 'open-jobs' }, await Promise.all(open.slice(0, 30).map((j) => jobCard(j, ctx)))),
      h('div', { class: 'tiles' }, TILES.map(([id, label]) => h('button', { class: 'tile', type: 'button', id: `tile-${id}`, onclick: () => ctx.navigate(id) }, label))));
    focusScan();
  }

  return {
    id: 'home',
    title: 'Home',
    async mount(context) { ctx = context; await render(); },
    unmount() { ctx = null; },
    refresh: () => render(),
    async onScan(code) {
      const location = await findLocation(code);
      if (location) return feedback.success(`Location ${location.code} (${location.type.toLowerCase()}, zone ${location.zone || '—'})`);
      const match = await findProduct(code);
      if (match.ok) return feedback.success(`${match.product.sku} · ${match.product.name}${match.units > 1 ? ` (pack of ${match.units})` : ''}${match.batch ? `, batch ${match.batch}` : ''}`);
      return feedback.error(match.message);
    },
  };
}
