/**
 * Reading one scan: the twin of app/domain/barcodes/interpret.py, which describes the reading
 * rules in prose (which data is a GTIN, which is GS1, which is a plain code).
 */

import { readDigitalLink, URL_PATTERN } from "./digital_link.js";
import { BarcodeError, ErrorCode, quote } from "./errors.js";
import { checkDigit, elementLabel, GS, readElementStrings, readHri, stripChars } from "./gs1.js";
import { MEASURE_FIELDS, NAMED_FIELDS } from "./results.js";

export const MAX_SCAN_LENGTH = 4000;

const ISO_SYMBOLOGY_LETTERS = new Set("ABCDEFGHIKLMNOPQRSTUXYZcdeopsz");
const GS1_MESSAGE_SYMBOLOGIES = new Set(["C1", "e0", "e1", "e2", "d2", "Q3", "J1"]);
const GTIN_SYMBOLOGIES = new Set(["E0", "E3", "E4", "I1"]);
export const GTIN_NAMES = { 8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14" };
const DEFINITE_GS1_AIS = new Set(["00", "01", "02"]);
export const DIGITS = /^[0-9]+$/;

function checkSettings(settings) {
  if (settings.prefix.length > 20 || settings.suffix.length > 20) {
    throw new BarcodeError(ErrorCode.INVALID_SETTINGS, "the scanner prefix and suffix can be at most 20 characters: shorten them");
  }
  if (Array.from(settings.separator).length > 8 || /[A-Za-z0-9 ]/.test(settings.separator)) {
    throw new BarcodeError(
      ErrorCode.INVALID_SETTINGS,
      `the separator ${quote(settings.separator)} is not usable: choose up to 8 characters that are neither letters, digits nor spaces, such as '|'`,
    );
  }
}

function clean(raw, settings) {
  let text = stripChars(raw, "\r\n\t ");
  if (settings.suffix && text.endsWith(settings.suffix)) text = stripChars(text.slice(0, -settings.suffix.length), "\r\n\t ");
  if (settings.prefix && text.startsWith(settings.prefix)) text = text.slice(settings.prefix.length);
  let symbology = null;
  if (text.length >= 3 && text[0] === "]" && ISO_SYMBOLOGY_LETTERS.has(text[1]) && text[2] >= "!" && text[2] <= "~") {
    let length = 3;
    // System expansion identifiers (]Y) carry a count of further modifier characters.
    if (text[1] === "Y" && /[0-9]/.test(text[2])) length = 3 + Number(text[2]);
    symbology = text.slice(0, length);
    text = text.slice(length);
  }
  const leadingFnc1 = text.startsWith(GS);
  text = stripChars(text, GS, { end: false });
  if (settings.separator) text = text.split(settings.separator).join(GS);
  text = stripChars(text, GS, { start: false });
  return [text, symbology, leadingFnc1];
}

/**
 * Split what one trigger sent into its values, at CR, LF and TAB, dropping empty ones. A burst
 * such as "ITEM-001\nLOC-A1\n" gives two values: handle the first and warn about the rest.
 */
export function splitScans(raw) {
  return String(raw).split(/[\r\n\t]+/).filter((part) => stripChars(part, " ") !== "");
}

function checkCharacters(text) {
  for (const char of text) {
    if ("\r\n\t".includes(char)) {
      throw new BarcodeError(
        ErrorCode.MULTIPLE_VALUES,
        `the scan contains ${quote(char)} inside the data, so it holds more than one value: scan one barcode at a time`,
      );
    }
    const code = char.codePointAt(0);
    if ((code < 0x20 && char !== GS) || code > 0x7e) {
      throw new BarcodeError(
        ErrorCode.KEYBOARD_LAYOUT,
        `the scan contains ${quote(char)}, which no barcode contains: check that the scanner's keyboard layout matches the device's, then rescan`,
      );
    }
  }
}

function readGtin(digits, symbology, text) {
  const name = GTIN_NAMES[digits.length];
  const expected = checkDigit(digits.slice(0, -1));
  if (Number(digits[digits.length - 1]) !== expected) {
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid ${name}: its check digit should be ${expected}, not ${digits[digits.length - 1]}; rescan or type the code`,
    );
  }
  return { kind: "gtin", text, symbology, gtin: digits.padStart(14, "0") };
}

// The first 11 digits of the UPC-A that an 8-digit UPC-E stands for.
function expandUpcE(digits) {
  const numberSystem = digits[0];
  const middle = digits.slice(1, 7);
  const last = middle[5];
  let body;
  if ("012".includes(last)) body = middle.slice(0, 2) + last + "0000" + middle.slice(2, 5);
  else if (last === "3") body = middle.slice(0, 3) + "00000" + middle.slice(3, 5);
  else if (last === "4") body = middle.slice(0, 4) + "00000" + middle[4];
  else body = middle.slice(0, 5) + "0000" + last;
  return numberSystem + body;
}

function upcEValid(digits) {
  return "01".includes(digits[0]) && checkDigit(expandUpcE(digits)) === Number(digits[7]);
}

function readUpcE(digits, symbology, text) {
  if (!"01".includes(digits[0])) {
    throw new BarcodeError(ErrorCode.INVALID_FORMAT, `${quote(digits)} is not a UPC-E: it must start with 0 or 1; rescan`);
  }
  const expanded = expandUpcE(digits);
  const expected = checkDigit(expanded);
  if (Number(digits[7]) !== expected) {
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid UPC-E: its check digit should be ${expected}, not ${digits[7]}; rescan or type the code`,
    );
  }
  return { kind: "gtin", text, symbology, gtin: (expanded + expected).padStart(14, "0") };
}

function readHintedGtin(text, symbology) {
  if (symbology === "]E0" && DIGITS.test(text) && text.length === 8) return readUpcE(text, symbology, text);
  let digits = text;
  if (symbology === "]E3" && DIGITS.test(text) && [14, 15, 17, 18].includes(text.length)) {
    // EAN-13 or UPC-A followed by a 2- or 5-digit add-on; the add-on is not part of the GTIN.
    digits = [15, 18].includes(text.length) ? text.slice(0, 13) : text.slice(0, 12);
  }
  if (!DIGITS.test(digits) || !(digits.length in GTIN_NAMES)) {
    throw new BarcodeError(ErrorCode.INVALID_FORMAT, `${quote(text)} is not a GTIN: expected 8, 12, 13 or 14 digits; rescan`);
  }
  return readGtin(digits, symbology, text);
}

function buildGs1(text, elements, symbology) {
  const unique = [];
  const seen = new Map();
  for (const element of elements) {
    const earlier = seen.get(element.ai);
    if (earlier === undefined) {
      seen.set(element.ai, element);
      unique.push(element);
    } else if (earlier.value !== element.value) {
      throw new BarcodeError(
        ErrorCode.CONFLICTING_AI,
        `${elementLabel(element.ai, element.title)} appears twice with different values ${quote(earlier.value)} and ${quote(element.value)}: rescan`,
      );
    }
  }
  const result = { kind: "gs1", text, symbology };
  for (const element of unique) {
    const name = NAMED_FIELDS[element.ai];
    if (name !== undefined) {
      if (element.date !== null) result[name] = element.date;
      else if (element.ai === "30" || element.ai === "37") result[name] = Number(element.value);
      else result[name] = element.value;
    } else if (element.ai === "8003") {
      result.grai = element.value.slice(0, 14);
      if (element.value.length > 14) result.grai_serial = element.value.slice(14);
    }
    const measure = element.ai.length === 4 ? MEASURE_FIELDS[element.ai.slice(0, 3)] : undefined;
    if (measure !== undefined && element.decimal !== null) result[measure] = element.decimal;
  }
  result.ais = Object.fromEntries(unique.map((element) => [element.ai, element.value]));
  result.elements = unique.map((element) => {
    const item = { ai: element.ai, title: element.title, value: element.value, parts: element.parts };
    if (element.date !== null) item.date = element.date;
    if (element.decimal !== null) item.decimal = element.decimal;
    return item;
  });
  return result;
}

function readSscc(digits, symbology) {
  const expected = checkDigit(digits.slice(0, -1));
  if (Number(digits[digits.length - 1]) === expected) return { kind: "sscc", text: digits, symbology, sscc: digits };
  try {
    return buildGs1(digits, readElementStrings(digits), symbology);
  } catch (error) {
    if (!(error instanceof BarcodeError)) throw error;
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid SSCC: its check digit should be ${expected}, not ${digits[digits.length - 1]}; rescan`,
    );
  }
}

function read(raw, settings) {
  checkSettings(settings);
  if (Array.from(raw).length > MAX_SCAN_LENGTH) {
    throw new BarcodeError(ErrorCode.TOO_LONG, `the scan is longer than ${MAX_SCAN_LENGTH} characters: rescan one barcode`);
  }
  const [text, symbology, leadingFnc1] = clean(raw, settings);
  checkCharacters(text);
  if (!text) throw new BarcodeError(ErrorCode.EMPTY_SCAN, "the scan is empty: rescan");

  if (URL_PATTERN.test(text)) {
    const elements = readDigitalLink(text);
    return elements === null ? { kind: "code", text, symbology } : buildGs1(text, elements, symbology);
  }
  const hint = symbology ? symbology.slice(1) : null;
  if (GS1_MESSAGE_SYMBOLOGIES.has(hint) || leadingFnc1 || text.includes(GS)) {
    return buildGs1(text, readElementStrings(text), symbology);
  }
  if (GTIN_SYMBOLOGIES.has(hint)) return readHintedGtin(text, symbology);
  if (hint !== null) return { kind: "code", text, symbology };
  if (/^\(\d{2,4}\)/.test(text)) return buildGs1(text, readHri(text), symbology);
  if (DIGITS.test(text) && text.length === 8 && checkDigit(text.slice(0, 7)) !== Number(text[7]) && upcEValid(text)) {
    return readUpcE(text, symbology, text);
  }
  if (DIGITS.test(text) && text.length in GTIN_NAMES) return readGtin(text, symbology, text);
  if (DIGITS.test(text) && text.length === 18) return readSscc(text, symbology);
  try {
    return buildGs1(text, readElementStrings(text), symbology);
  } catch (error) {
    if (!(error instanceof BarcodeError)) throw error;
    if (error.code === ErrorCode.SEPARATOR_MISSING || error.code === ErrorCode.INVALID_CHARACTER) throw error;
    const startedGs1 = DEFINITE_GS1_AIS.has(error.firstAi) && !(error.elementIndex === 0 && error.code === ErrorCode.INVALID_FORMAT);
    if (startedGs1) throw error;
    return { kind: "code", text, symbology };
  }
}

/**
 * Read one scan as sent by a scanner (or typed), with the device's scanner settings
 * {prefix, suffix, separator}. Never throws for bad data: an unreadable scan returns
 * {kind: "error", code, message}, where the message names the value and the operator's next step.
 */
export function interpret(raw, settings = {}) {
  const resolved = { prefix: settings.prefix ?? "", suffix: settings.suffix ?? "", separator: settings.separator ?? "" };
  try {
    return read(String(raw), resolved);
  } catch (error) {
    if (error instanceof BarcodeError) return { kind: "error", code: error.code, message: error.message };
    throw error;
  }
}
