// Keyboard-wedge scanner capture at document level.
//
// A wedge scanner "types" its code as key events a few milliseconds apart and ends it with Enter,
// Tab or a configured suffix. A person types with gaps of 100 ms or more. So keys are grouped into
// runs: a key arriving within `maxGapMs` of the previous one continues the run, a slower one starts a
// new run. A run of at least `minLength` characters that ends in a terminator is a scan: its
// characters are taken back out of whatever field they landed in, the configured prefix is stripped,
// and the code goes to the screen. Anything typed slowly stays exactly as typed, prefix character
// included (field case B7).
//
// In a scan field a run lasts until its terminator, and speed is judged by the median gap between
// its keys. A busy main thread can stall one key of a scanner burst, and a screen can redraw the
// field in the middle of it. Judging by the median keeps such a burst whole and fast.
//
// One trigger can deliver a code twice: once as an "intent" (text inserted in one
// piece, with no key events) and once as keystrokes, or as two codes in a single burst. The first
// code is handled. An identical copy within `dedupeMs` is dropped silently, and any other codes in
// the same burst are dropped with ONE warning. Scans are handed to the screen one at a time, each
// after the previous one has finished, so two lookups never run at once and beeps never interleave.

const GS = '\x1d';

function keyToChar(event) {
  const { key } = event;
  if (key === 'Enter' || key === 'Tab') return key;
  if (event.ctrlKey && (key === ']' || event.code === 'BracketRight')) return GS;  // Ctrl+] is GS on many wedges
  if (key === GS || key === 'GroupSeparator') return GS;
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  if (key.length === 1) return key;
  return null;  // Shift, CapsLock, arrows: no character, and not a break in the run either
}

function median(values) {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function isEditable(el) {
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

export const isScanField = (el) => Boolean(el && el.dataset && 'scan' in el.dataset);

/**
 * Start capturing. `options.settings()` returns the current scanner settings; `options.onScan(code,
 * source)` receives each scan (source: scanner, intent, manual, camera) and may return a promise;
 * `options.onDiscarded(message)` is called once per trigger that sent extra codes.
 */
export function createScanner({ settings, onScan, onDiscarded }) {
  let lastKeyAt = -Infinity;
  let run = null;
  let runTimer = null;
  let pendingKeydown = false;
  let lastEmit = { code: null, at: -Infinity };
  let queue = Promise.resolve();
  const stats = { scans: [], lastKeyAt: 0 };

  function stripPrefix(text) {
    const { prefix } = settings();
    return prefix && text.startsWith(prefix) ? text.slice(prefix.length) : text;
  }

  function enqueue(task) {
    queue = queue.then(task).catch((err) => console.error('scan handler failed', err));
    return queue;
  }

  function emit(code, source, at, startedAt) {
    const now = at ?? performance.now();
    // A burst counts from its first key: a slow machine may take longer than the window to type
    // a copy that the scanner sent within milliseconds of the first one.
    const began = startedAt ?? now;
    if (code === lastEmit.code && began - lastEmit.at < settings().dedupeMs) {
      console.info('duplicate scan from one trigger dropped', code, source);
      return;
    }
    lastEmit = { code, at: now };
    stats.scans.push({ code, source, at: now });
    if (stats.scans.length > 100) stats.scans.shift();
    enqueue(() => onScan(code, source));
  }

  function finishRun(fromTimer = false) {
    if (runTimer) { clearTimeout(runTimer); runTimer = null; }
    if (!run) return;
    // A scan-field run waits for its terminator, however slowly the keys arrive.
    if (fromTimer && run.inScanField && run.codes === 0) return;
    const { discarded, first } = run;
    run = null;
    const others = discarded.filter((code) => code !== first);
    if (others.length) {
      const message = `One trigger sent ${others.length + 1} codes. Used ${first}; ignored ${others.join(', ')}. Scan one code at a time.`;
      enqueue(() => onDiscarded(message));
    }
  }

  function restoreField(target, snapshot) {
    if (isEditable(target) && snapshot !== undefined && target.value !== undefined) target.value = snapshot;
  }

  function onKeyDown(event) {
    if (event.isComposing) return;
    const ch = keyToChar(event);
    if (ch === null) return;
    const now = performance.now();
    const gap = now - lastKeyAt;
    lastKeyAt = now;
    stats.lastKeyAt = now;
    const { maxGapMs, minLength, suffix } = settings();
    const keepsRun = run && run.inScanField && run.codes === 0 && isScanField(event.target);
    if (!run || (gap > maxGapMs && !keepsRun)) {
      finishRun();
      const target = event.target;
      run = {
        chars: '', start: now, target, snapshot: isEditable(target) ? target.value : undefined,
        inScanField: isScanField(target), gaps: [], codes: 0, first: null, discarded: [],
      };
    } else {
      run.gaps.push(gap);
    }
    if (runTimer) clearTimeout(runTimer);
    runTimer = setTimeout(() => finishRun(true), maxGapMs * 3);
    const terminator = ch === 'Enter' || ch === 'Tab' || (suffix && ch === suffix);
    if (!terminator) {
      // The browser follows this keydown with a beforeinput in the same task; mark it as ours.
      pendingKeydown = true;
      setTimeout(() => { pendingKeydown = false; }, 0);
      run.chars += ch;
      return;
    }
    const target = event.target;
    const inScanField = isScanField(target);
    const burst = run.chars.length >= minLength && median(run.gaps) <= maxGapMs;
    // A scan field contains everything typed since the last scan, so a burst that the
    // browser delivered with one slow gap (a busy main thread) still arrives whole.
    const fieldText = inScanField ? target.value.replace(/^ +| +$/g, '') : '';
    if (burst || (inScanField && ch === 'Enter' && fieldText)) {
      event.preventDefault();
      event.stopPropagation();
      // A burst's own keys are the code, because the screen may have redrawn the field during it.
      // Typed text is taken from the field, which also contains what was pasted or corrected.
      let code = burst ? run.chars : fieldText;
      // Only scanner-speed input loses its prefix, so a person who types the prefix character keeps it.
      if (burst) code = stripPrefix(code);
      run.chars = '';
      if (inScanField) target.value = '';
      else restoreField(run.target, run.snapshot);
      if (!code) return;
      if (run.codes === 0) {
        run.first = code;
        emit(code, burst ? 'scanner' : 'manual', now, burst ? run.start : now);
      } else {
        run.discarded.push(code);
      }
      run.codes += 1;
      return;
    }
    if (run.codes > 0 && run.chars === '') {
      // The Enter after a configured suffix, or a second terminator of the same burst.
      event.preventDefault();
      return;
    }
    run.chars = '';
  }

  function onBeforeInput(event) {
    const fromKey = pendingKeydown;
    pendingKeydown = false;
    if (fromKey || !event.data) return;
    if (!['insertText', 'insertFromPaste', 'insertReplacementText'].includes(event.inputType)) return;
    const now = performance.now();
    if (run && event.data.length === 1 && event.data.charCodeAt(0) < 32 && now - lastKeyAt <= settings().maxGapMs) {
      // A control character with no key event inside a burst, such as the GS1 group separator: keep
      // it. Printable characters always come with a keydown, so text a program inserts (a test's
      // fill, an on-screen keyboard) right after a scan is never mistaken for part of the burst.
      // A scan field takes it in like any other character; elsewhere the run remembers it.
      run.chars += event.data;
      lastKeyAt = now;
      if (!isScanField(event.target)) event.preventDefault();
      return;
    }
    if (isScanField(event.target) && event.data.replace(/[\r\n\t]+$/, '').length >= settings().minLength) {
      // A whole code inserted at once: a scanner's intent or a paste into a scan field.
      event.preventDefault();
      emit(stripPrefix(event.data.replace(/[\r\n\t]+$/, '')), 'intent', now);
    }
  }

  document.addEventListener('keydown', onKeyDown, true);
  document.addEventListener('beforeinput', onBeforeInput, true);

  return {
    stats,
    /** Deliver a code from another source (camera, a native intent bridge) through the same rules. */
    inject(code, source = 'intent') { emit(code, source); },
    /** Resolve once every scan handed over so far has been handled. */
    idle() { return queue; },
    stop() {
      document.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('beforeinput', onBeforeInput, true);
    },
  };
}
