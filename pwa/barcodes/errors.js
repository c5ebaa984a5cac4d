/**
 * Error codes and messages of the barcode interpreter: the twin of app/domain/barcodes/errors.py.
 * A message names the value that failed, if there is one, and what the operator should do next.
 */

export const ErrorCode = Object.freeze({
  EMPTY_SCAN: "empty_scan",
  KEYBOARD_LAYOUT: "keyboard_layout",
  MULTIPLE_VALUES: "multiple_values",
  INVALID_CHARACTER: "invalid_character",
  SEPARATOR_MISSING: "separator_missing",
  UNKNOWN_AI: "unknown_ai",
  INVALID_FORMAT: "invalid_format",
  INVALID_CHECK_DIGIT: "invalid_check_digit",
  INVALID_DATE: "invalid_date",
  CONFLICTING_AI: "conflicting_ai",
  INVALID_HRI: "invalid_hri",
  INVALID_SETTINGS: "invalid_settings",
  TOO_LONG: "too_long",
});

export class BarcodeError extends Error {
  constructor(code, message, elementIndex = null, firstAi = null) {
    super(message);
    this.code = code;
    this.elementIndex = elementIndex;
    this.firstAi = firstAi;
  }
}

const NAMED_CONTROLS = { "\x1d": "<GS>", "\r": "<CR>", "\n": "<LF>", "\t": "<TAB>", "\x1e": "<RS>", "\x04": "<EOT>", "\x1b": "<ESC>" };

/** Return text with control characters written out, such as <GS> or <U+0007>. */
export function visible(text) {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0);
    if (char in NAMED_CONTROLS) out += NAMED_CONTROLS[char];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
    else out += char;
  }
  return out;
}

export function quote(text, limit = 60) {
  let shown = Array.from(visible(text));
  if (shown.length > limit) shown = [...shown.slice(0, limit - 3), "..."];
  return `'${shown.join("")}'`;
}
