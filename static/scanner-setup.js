/**
 * Scanner set-up page: records every key a scanner types, with timing, shows control characters,
 * and suggests the device's prefix, suffix and separator settings by comparing the scan with the
 * label's printed text. The pure functions are exported for tests; init() wires the page.
 */

import { AI_TABLE, GS, interpret, visible } from "/pwa/barcodes.js";

// A scan ends this long after its last key when the scanner sends no Enter or Tab.
const SCAN_IDLE_MS = 300;
const SEPARATOR_REQUIRED = new Map(AI_TABLE.map(([ai, , separatorRequired]) => [ai, separatorRequired]));

/** Return the text as HTML with control characters shown as highlighted tokens such as <GS>. */
export function visibleHtml(text) {
  const escape = (value) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let html = "";
  for (const char of text) {
    const shown = visible(char);
    html += shown === char ? escape(char) : `<span class="control">${escape(shown)}</span>`;
  }
  return html;
}

/** Return what a correctly configured scanner sends for a label's printed text (GS1 in machine form). */
export function expectedMachineForm(printed) {
  const reading = interpret(printed);
  if (reading.kind !== "gs1") return reading.kind === "error" ? printed.trim() : reading.text;
  return reading.elements
    .map((element, index) => {
      const last = index === reading.elements.length - 1;
      return element.ai + element.value + (SEPARATOR_REQUIRED.get(element.ai) && !last ? GS : "");
    })
    .join("");
}

/**
 * Compare what a scanner sent with what the label contains, and suggest settings.
 * Returns {found, prefix, suffix, separator, symbology, terminator, notes}.
 */
export function suggestSettings(captured, expected) {
  const notes = [];
  let text = captured;
  let terminator = "";
  while (text && "\r\n\t".includes(text[text.length - 1])) {
    terminator = text[text.length - 1] + terminator;
    text = text.slice(0, -1);
  }
  const segments = expected.split(GS).filter((segment) => segment !== "");
  const result = { found: false, prefix: "", suffix: "", separator: "", symbology: null, terminator, notes };
  if (!segments.length) {
    notes.push("Type the label's printed text first.");
    return result;
  }

  const start = text.indexOf(segments[0]);
  if (start < 0) {
    if (/[^\x00-\x7e]/.test(text)) {
      notes.push("The scan contains characters no barcode holds: check that the scanner's keyboard layout matches the device's.");
    } else {
      notes.push("The scan does not contain the label's text: check the printed text above, or rescan.");
    }
    return result;
  }

  result.found = true;
  let head = text.slice(0, start);
  if (head.endsWith(GS)) {
    head = head.replace(new RegExp(`${GS}+$`), "");
    notes.push("The scanner sends FNC1 in first position as <GS>; that is read as GS1 and needs no setting.");
  }
  const symbology = head.match(/\][A-Za-z][0-9A-Za-z]$/);
  if (symbology) {
    result.symbology = symbology[0];
    head = head.slice(0, -3);
  } else {
    notes.push("The scanner sends no symbology identifier; enabling AIM identifiers (such as ]C1) makes GS1 labels unambiguous.");
  }
  result.prefix = head;

  let position = start + segments[0].length;
  const separators = [];
  for (const segment of segments.slice(1)) {
    const next = text.indexOf(segment, position);
    if (next < 0) {
      notes.push(`The scan lost part of the label after position ${position}: rescan.`);
      result.found = false;
      return result;
    }
    separators.push(text.slice(position, next));
    position = next + segment.length;
  }
  result.suffix = text.slice(position).replace(new RegExp(`^${GS}+`), "");

  const distinct = [...new Set(separators)];
  if (!separators.length) {
    notes.push("This label has no separator: scan a label with a batch followed by another field to check FNC1.");
  } else if (distinct.length > 1) {
    notes.push(`The scanner sent different separators (${distinct.map(visible).join(", ")}): check its FNC1 setting.`);
  } else if (distinct[0] === GS) {
    notes.push("FNC1 arrives as <GS> (ASCII 29): no separator setting is needed.");
  } else if (distinct[0] === "") {
    notes.push("The scanner drops FNC1, so batches would swallow the fields after them: set it to send <GS> or a substitute such as '|'.");
  } else if (/[A-Za-z0-9 ]/.test(distinct[0])) {
    notes.push(`The scanner sends ${visible(distinct[0])} for FNC1, which can also appear in data: choose a substitute such as '|'.`);
  } else {
    result.separator = distinct[0];
  }
  if (terminator) notes.push(`The scan ends with ${visible(terminator)}, which is always stripped.`);
  return result;
}

/** Describe the key timing of one scan: the largest gap between keys, and a burst threshold. */
export function scanSpeed(gaps) {
  if (!gaps.length) return "";
  const largest = Math.max(...gaps);
  const threshold = Math.max(30, Math.ceil((largest * 2) / 10) * 10);
  return `keys arrived at most ${Math.round(largest)} ms apart; treat keys under ${threshold} ms apart as one scan`;
}

function keyCharacter(event) {
  if (event.ctrlKey && (event.key === "]" || event.code === "BracketRight")) return GS;
  if (event.key === "Enter") return "\r";
  if (event.key === "Tab") return "\t";
  if (event.key.length === 1 && !event.ctrlKey && !event.altKey && !event.metaKey) return event.key;
  return "";
}

/** Wire the page: capture keys and pastes, then show the scan, its timing and the suggestions. */
export function init(root = document) {
  const capture = root.getElementById("capture");
  const expectedInput = root.getElementById("expected");
  let keys = [];
  let idleTimer = null;

  const show = (id, value) => {
    root.getElementById(id).innerHTML = value;
  };

  function finish() {
    clearTimeout(idleTimer);
    idleTimer = null;
    if (!keys.length) return;
    const text = keys.map((key) => key.char).join("");
    const gaps = keys.slice(1).map((key) => key.gap).filter((gap) => gap !== null);
    capture.innerHTML = visibleHtml(text) || "&nbsp;";
    show("summary", `${Array.from(text).length} characters: ${visibleHtml(text)}`);
    show(
      "keys",
      keys
        .map((key, index) => `<tr><td>${index + 1}</td><td>${visibleHtml(key.label)}</td><td>${visibleHtml(key.char)}</td><td>${key.gap === null ? "" : key.gap.toFixed(1)}</td></tr>`)
        .join(""),
    );
    const suggestion = suggestSettings(text, expectedMachineForm(expectedInput.value));
    show("suggest-prefix", suggestion.prefix ? visibleHtml(suggestion.prefix) : "(none)");
    show("suggest-suffix", suggestion.suffix ? visibleHtml(suggestion.suffix) : "(none)");
    show("suggest-separator", suggestion.separator ? visibleHtml(suggestion.separator) : "(none: ASCII 29)");
    show("suggest-symbology", suggestion.symbology ? visibleHtml(suggestion.symbology) : "(none)");
    show("suggest-speed", visibleHtml(scanSpeed(gaps) || "(pasted: no timing)"));
    show("notes", suggestion.notes.map((note) => `<li>${visibleHtml(note)}</li>`).join(""));
    const reading = interpret(text, { prefix: suggestion.prefix, suffix: suggestion.suffix, separator: suggestion.separator });
    root.getElementById("reading").textContent = JSON.stringify(reading, null, 2);
    root.getElementById("scanner-setup").dataset.state = "scanned";
    keys = [];
  }

  capture.addEventListener("keydown", (event) => {
    if (["Shift", "Control", "Alt", "Meta", "CapsLock"].includes(event.key)) return;
    event.preventDefault();
    const previous = keys.length ? keys[keys.length - 1].time : null;
    keys.push({
      label: `${event.ctrlKey ? "Ctrl+" : ""}${event.altKey ? "Alt+" : ""}${event.key}`,
      char: keyCharacter(event),
      time: event.timeStamp,
      gap: previous === null ? null : event.timeStamp - previous,
    });
    clearTimeout(idleTimer);
    if (event.key === "Enter" || event.key === "Tab") finish();
    else idleTimer = setTimeout(finish, SCAN_IDLE_MS);
  });

  capture.addEventListener("paste", (event) => {
    event.preventDefault();
    const text = event.clipboardData.getData("text");
    keys = Array.from(text).map((char) => ({ label: "paste", char, time: 0, gap: null }));
    finish();
  });

  root.getElementById("clear").addEventListener("click", () => {
    keys = [];
    capture.textContent = "Click here and scan";
    show("summary", "Nothing scanned yet.");
    show("keys", "");
    capture.focus();
  });
}

if (typeof document !== "undefined" && document.getElementById("scanner-setup")) init();
