/**
 * GS1 element strings: the twin of app/domain/barcodes/gs1.py. Splits a scan into element
 * strings by the application identifier table (ai_table.js) and checks each value (check digits
 * and dates).
 */

import { AI_TABLE } from "./ai_table.js";
import { BarcodeError, ErrorCode, quote } from "./errors.js";

export const GS = "\x1d";

const AIS = AI_TABLE.map(([ai, title, separatorRequired, format, pattern]) => ({
  ai,
  title,
  separatorRequired,
  format,
  prefixPattern: new RegExp(pattern.replace(/\$$/, "")),
  fullPattern: new RegExp(pattern),
}));

const AI_NAMES = {
  "00": "SSCC",
  "01": "GTIN",
  "02": "content GTIN",
  "10": "batch",
  "11": "production date",
  "12": "due date",
  "13": "packaging date",
  "15": "best-before date",
  "16": "sell-by date",
  "17": "expiry date",
  "20": "variant",
  "21": "serial number",
  "30": "count",
  "37": "content count",
  "90": "internal data",
  "240": "additional product id",
  "241": "customer part number",
  "400": "customer order number",
  "410": "ship-to GLN",
  "414": "location GLN",
  "8003": "GRAI",
  "8004": "GIAI",
};

// AI -> [start, end] of the digits that end in a GS1 mod-10 check digit.
const CHECKED_KEYS = {
  "00": [0, 18], "01": [0, 14], "02": [0, 14], "03": [0, 14],
  "253": [0, 13], "255": [0, 13], "402": [0, 17],
  "410": [0, 13], "411": [0, 13], "412": [0, 13], "413": [0, 13],
  "414": [0, 13], "415": [0, 13], "416": [0, 13], "417": [0, 13],
  "8003": [0, 14], "8006": [0, 14], "8017": [0, 18], "8018": [0, 18], "8026": [0, 14],
};

const DATE_AIS = new Set(["11", "12", "13", "15", "16", "17", "7006"]);
const DATE_TIME_AIS = new Set(["7003", "4324", "4325", "4326", "7011", "8008"]);
const DATE_RANGE_AIS = new Set(["7007"]);
const UNKNOWN_TIME_AIS = new Set(["4324", "4325", "4326"]);

const CSET82_CHAR = /^[!%-?A-Z_a-z\x22]$/;

/** Return the GS1 mod-10 check digit for payload (the digits before the check digit). */
export function checkDigit(payload) {
  let total = 0;
  for (let index = 0; index < payload.length; index += 1) {
    const digit = Number(payload[payload.length - 1 - index]);
    total += digit * (index % 2 === 0 ? 3 : 1);
  }
  return (10 - (total % 10)) % 10;
}

export function elementLabel(ai, title) {
  return `${AI_NAMES[ai] ?? title} (AI ${ai})`;
}

export function lookupAi(text) {
  for (const entry of AIS) if (text.startsWith(entry.ai)) return entry;
  return null;
}

export function stripChars(text, chars, { start = true, end = true } = {}) {
  let first = 0;
  let last = text.length;
  if (start) while (first < last && chars.includes(text[first])) first += 1;
  if (end) while (last > first && chars.includes(text[last - 1])) last -= 1;
  return text.slice(first, last);
}

// GS1 General Specifications 7.12: a two-digit year lies between 49 years ago and 50 years ahead.
function centuryYear(twoDigits) {
  const current = new Date().getUTCFullYear();
  const century = current - (current % 100);
  const difference = twoDigits - (current % 100);
  if (difference >= 51 && difference <= 99) return century - 100 + twoDigits;
  if (difference >= -99 && difference <= -50) return century + 100 + twoDigits;
  return century + twoDigits;
}

function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(number, width) {
  return String(number).padStart(width, "0");
}

// YYMMDD -> ISO date string; day 00 is the last day of the month. null when no calendar date.
function readDate(digits) {
  const year = centuryYear(Number(digits.slice(0, 2)));
  const month = Number(digits.slice(2, 4));
  let day = Number(digits.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const lastDay = daysInMonth(year, month);
  if (day === 0) day = lastDay;
  if (day > lastDay) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function validTime(digits, allowUnknown) {
  if (allowUnknown && digits.slice(0, 4) === "9999") return true;
  const limits = [23, 59, 59];
  for (let index = 0; index < digits.length; index += 2) {
    const pair = digits.slice(index, index + 2);
    if (pair.length !== 2 || Number(pair) > limits[index / 2]) return false;
  }
  return true;
}

function elementDate(ai, value) {
  if (DATE_AIS.has(ai)) {
    const parsed = readDate(value.slice(0, 6));
    return [parsed, parsed !== null];
  }
  if (DATE_TIME_AIS.has(ai)) {
    const parsed = readDate(value.slice(0, 6));
    return [parsed, parsed !== null && validTime(value.slice(6), UNKNOWN_TIME_AIS.has(ai))];
  }
  if (DATE_RANGE_AIS.has(ai)) {
    const first = readDate(value.slice(0, 6));
    const secondOk = value.length <= 6 || readDate(value.slice(6, 12)) !== null;
    return [first, first !== null && secondOk];
  }
  return [null, true];
}

// Measures and amounts carry their number of implied decimals in the AI's fourth digit.
function elementDecimal(ai, groups) {
  const measure = ["31", "32", "33", "34", "35", "36"].includes(ai.slice(0, 2));
  const amount = ["390", "391", "392", "393", "394"].includes(ai.slice(0, 3));
  if (!measure && !amount) return null;
  const value = groups[groups.length - 1];
  const decimals = Number(ai[3]);
  const units = value.slice(0, value.length - decimals);
  const fraction = value.slice(value.length - decimals);
  const whole = units.replace(/^0+/, "") || "0";
  return fraction ? `${whole}.${fraction}` : whole;
}

export function buildElement(entry, groups) {
  const value = groups.join("");
  const [date] = elementDate(entry.ai, value);
  return {
    ai: entry.ai,
    title: entry.title,
    value,
    parts: groups,
    separatorRequired: entry.separatorRequired,
    date,
    decimal: elementDecimal(entry.ai, groups),
  };
}

export function checkElement(element, index, firstAi) {
  const label = elementLabel(element.ai, element.title);
  const key = CHECKED_KEYS[element.ai];
  if (key) {
    const digits = element.value.slice(key[0], key[1]);
    const expected = checkDigit(digits.slice(0, -1));
    if (Number(digits[digits.length - 1]) !== expected) {
      throw new BarcodeError(
        ErrorCode.INVALID_CHECK_DIGIT,
        `${label} ${quote(element.value)} has an invalid check digit: it should be ${expected}, not ${digits[digits.length - 1]}; rescan`,
        index,
        firstAi,
      );
    }
  }
  const [, dateOk] = elementDate(element.ai, element.value);
  if (!dateOk) {
    throw new BarcodeError(ErrorCode.INVALID_DATE, `${label} ${quote(element.value)} is not a valid date: rescan`, index, firstAi);
  }
}

function formatOf(entry) {
  const plus = entry.format.indexOf("+");
  return plus >= 0 ? entry.format.slice(plus + 1) : entry.format;
}

export function invalidFormat(entry, data, index, firstAi) {
  // biip's patterns for date AIs only accept months 01-12, so six digits that fail are a bad date.
  if (DATE_AIS.has(entry.ai) && /^[0-9]{6}$/.test(data.slice(0, 6))) {
    return new BarcodeError(
      ErrorCode.INVALID_DATE,
      `${elementLabel(entry.ai, entry.title)} ${quote(data.slice(0, 6))} is not a valid date: rescan`,
      index,
      firstAi,
    );
  }
  return new BarcodeError(
    ErrorCode.INVALID_FORMAT,
    `${elementLabel(entry.ai, entry.title)} has an invalid value ${quote(data)}: expected ${formatOf(entry)} (N = digit, X = character); rescan`,
    index,
    firstAi,
  );
}

export function matchGroups(match) {
  return match.slice(1).filter((group) => group !== undefined);
}

/** Split GS1 data in machine form (separators as ASCII 29) into checked element strings. */
export function readElementStrings(text) {
  const elements = [];
  let position = 0;
  let firstAi = null;
  while (position < text.length) {
    const rest = text.slice(position);
    const index = elements.length;
    const entry = lookupAi(rest);
    if (entry === null) {
      let after = "";
      if (elements.length) {
        const previous = elements[elements.length - 1];
        after = ` after ${elementLabel(previous.ai, previous.title)}`;
      }
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier at ${quote(rest, 20)}${after}: rescan; if it repeats, the label is not valid GS1`,
        index,
        firstAi,
      );
    }
    if (firstAi === null) firstAi = entry.ai;
    const segment = rest.split(GS, 1)[0];
    const match = entry.prefixPattern.exec(segment);
    // biip's pattern for AI 30 accepts an empty count; GS1 requires at least one digit.
    if (!match || matchGroups(match).join("") === "") throw invalidFormat(entry, segment.slice(entry.ai.length), index, firstAi);
    const element = buildElement(entry, matchGroups(match));
    const consumed = entry.ai.length + element.value.length;
    const following = rest.slice(consumed);
    if (following && !following.startsWith(GS) && element.separatorRequired) {
      const label = elementLabel(element.ai, element.title);
      const char = Array.from(following)[0];
      if (CSET82_CHAR.test(char)) {
        throw new BarcodeError(
          ErrorCode.SEPARATOR_MISSING,
          `separator missing after ${label} ${quote(element.value)}: rescan, or check the scanner's FNC1 setting`,
          index,
          firstAi,
        );
      }
      throw new BarcodeError(
        ErrorCode.INVALID_CHARACTER,
        `${quote(char)} cannot follow ${label} ${quote(element.value)}: if the scanner sends ${quote(char)} for FNC1, ` +
          "set it as the separator in the scanner settings; otherwise check the scanner's keyboard layout",
        index,
        firstAi,
      );
    }
    checkElement(element, index, firstAi);
    elements.push(element);
    position += consumed;
    while (position < text.length && text[position] === GS) position += 1;
  }
  return elements;
}

/** Read the bracketed human-readable form, (01)05400000002649(10)L1, typed by hand. */
export function readHri(text) {
  const matches = [...text.matchAll(/\((\d{2,4})\)/g)];
  if (!matches.length || matches[0].index !== 0) {
    throw new BarcodeError(
      ErrorCode.INVALID_HRI,
      `${quote(text)} is not in the bracketed form '(01)...(10)...': type each AI in brackets followed by its value`,
      0,
      null,
    );
  }
  const elements = [];
  let firstAi = null;
  matches.forEach((match, index) => {
    const number = match[1];
    const end = index + 1 < matches.length ? matches[index + 1].index : text.length;
    const data = stripChars(text.slice(match.index + match[0].length, end), " ");
    const entry = lookupAi(number);
    if (entry === null || entry.ai !== number) {
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier (${number}): check the number in brackets`,
        index,
        firstAi,
      );
    }
    if (firstAi === null) firstAi = number;
    const full = entry.fullPattern.exec(number + data);
    if (!full || matchGroups(full).join("") === "") throw invalidFormat(entry, data, index, firstAi);
    const element = buildElement(entry, matchGroups(full));
    checkElement(element, index, firstAi);
    elements.push(element);
  });
  return elements;
}
