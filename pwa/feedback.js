// What the operator hears, feels and sees after each scan: Web Audio tones, vibration, a full-screen
// colour flash and, for errors, a lock that needs a tap before the next scan is taken.

import { settings } from './state.js';

const TONES = {
  // [frequency Hz, duration ms, gap ms] per beep; distinct pitch and rhythm for each outcome.
  success: [[1760, 70, 0]],
  warning: [[880, 110, 70], [880, 110, 0]],
  error: [[220, 450, 0]],
};
const VIBRATION = { success: [40], warning: [80, 60, 80], error: [300, 100, 300] };

let audio = null;
let locked = null;              // {message, resolve} while the error lock is shown
export const log = [];          // recent feedback, newest last, for the history screen and tests

/** Create or resume the audio context; browsers allow it only after a tap or key press. */
export function unlockAudio() {
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume();
  } catch (_) {
    audio = null;  // no Web Audio: vibration and the flash still work
  }
}

function play(kind) {
  if (!settings().sound || !audio || audio.state !== 'running') return;
  let at = audio.currentTime + 0.01;
  for (const [freq, ms, gap] of TONES[kind]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = kind === 'error' ? 'square' : 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.005);
    gain.gain.setValueAtTime(0.4, at + ms / 1000 - 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + ms / 1000);
    osc.connect(gain).connect(audio.destination);
    osc.start(at);
    osc.stop(at + ms / 1000 + 0.02);
    at += (ms + gap) / 1000;
  }
}

function flash(kind) {
  const el = document.getElementById('flash');
  if (!el) return;
  el.className = '';
  void el.offsetWidth;  // restart the animation when two flashes follow each other
  el.className = `flash-${kind}`;
}

function showResult(kind, message) {
  const el = document.getElementById('result');
  if (!el) return;
  el.textContent = message;
  el.className = `result result-${kind}`;
  el.dataset.at = String(performance.now());
}

function record(kind, message) {
  log.push({ kind, message, at: Date.now() });
  if (log.length > 200) log.shift();
  window.dispatchEvent(new CustomEvent('wms:feedback', { detail: { kind, message } }));
}

function signal(kind, message) {
  play(kind);
  if (settings().vibrate && navigator.vibrate) navigator.vibrate(VIBRATION[kind]);
  flash(kind);
  showResult(kind, message);
  record(kind, message);
}

/** A scan or action was saved: high short beep, green flash. */
export const success = (message) => signal('success', message);

/** Saved, but the operator should know something (a discarded extra code, stock going negative). */
export const warning = (message) => signal('warning', message);

/**
 * A scan was NOT taken: low buzz, red flash, and a lock screen that must be tapped before the next
 * scan is accepted, so an operator who did not look at the screen cannot carry on past it.
 */
export function error(message, { lock = true } = {}) {
  signal('error', message);
  // The lock is not awaited by the scan queue: scans arriving while it is up are refused (see
  // rejectWhileLocked), never held back and replayed after the tap.
  if (lock) showLock(message);
  return false;
}

export const isLocked = () => locked !== null;

function showLock(message) {
  const overlay = document.getElementById('lock');
  if (locked) {
    locked.message = message;
    overlay.querySelector('.lock-message').textContent = message;
    return locked.promise;
  }
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  locked = { message, resolve, promise };
  overlay.querySelector('.lock-message').textContent = message;
  overlay.hidden = false;
  overlay.querySelector('button').focus();
  return promise;
}

/** Close the error lock (the operator tapped it). */
export function releaseLock() {
  if (!locked) return;
  const { resolve } = locked;
  locked = null;
  document.getElementById('lock').hidden = true;
  resolve();
  window.dispatchEvent(new CustomEvent('wms:unlocked'));
}

/** Buzz again for a scan that arrived while the lock is up, and keep the lock. */
export function rejectWhileLocked() {
  play('error');
  if (settings().vibrate && navigator.vibrate) navigator.vibrate(VIBRATION.error);
  record('error', 'scan ignored: tap the red screen first');
}
