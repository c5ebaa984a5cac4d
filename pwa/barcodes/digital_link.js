/**
 * GS1 Digital Link URIs: the twin of app/domain/barcodes/digital_link.py.
 */

import { BarcodeError, ErrorCode, quote } from "./errors.js";
import { buildElement, checkElement, invalidFormat, lookupAi, matchGroups } from "./gs1.js";

// GS1 Digital Link: a URL whose path names a primary key, such as
// https://example.com/01/09506000134352/10/ABC1?17=270131. Query parameters that are not AI
// numbers are ignored; a URL without a primary key is a plain code.
const DIGITAL_LINK_PRIMARY_KEYS = new Set(["00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"]);
export const URL_PATTERN = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?(#.*)?$/;

// Each %XX becomes one character; malformed escapes stay as typed and fail the AI's format.
function percentDecode(value) {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function digitalLinkPairs(text) {
  const match = URL_PATTERN.exec(text);
  const segments = (match[1] ?? "").split("/").filter((segment) => segment !== "");
  const start = segments.findIndex((segment, index) => DIGITAL_LINK_PRIMARY_KEYS.has(segment) && index + 1 < segments.length);
  if (start < 0) return null;
  const path = segments.slice(start);
  if (path.length % 2) {
    throw new BarcodeError(
      ErrorCode.INVALID_FORMAT,
      `the GS1 Digital Link ${quote(text)} ends with ${quote(path[path.length - 1])} and no value: rescan`,
      Math.floor(path.length / 2),
      path[0],
    );
  }
  const pairs = [];
  for (let index = 0; index < path.length; index += 2) pairs.push([path[index], percentDecode(path[index + 1])]);
  const query = (match[2] ?? "").slice(1);
  for (const parameter of query.split("&")) {
    const equals = parameter.indexOf("=");
    const key = equals < 0 ? parameter : parameter.slice(0, equals);
    const value = equals < 0 ? "" : parameter.slice(equals + 1);
    if (/^[0-9]{2,4}$/.test(key)) pairs.push([key, percentDecode(value)]);
  }
  return pairs;
}

/** Read a GS1 Digital Link URI into checked element strings; null when it has no primary key. */
export function readDigitalLink(text) {
  const pairs = digitalLinkPairs(text);
  if (pairs === null) return null;
  const firstAi = pairs[0][0];
  return pairs.map(([number, rawValue], index) => {
    const entry = lookupAi(number);
    if (entry === null || entry.ai !== number) {
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier ${quote(number)} in the GS1 Digital Link: rescan`,
        index,
        firstAi,
      );
    }
    let value = rawValue;
    if (number === "01" && /^(?:[0-9]{8}|[0-9]{12,13})$/.test(value)) value = value.padStart(14, "0");
    const full = entry.fullPattern.exec(number + value);
    if (!full || matchGroups(full).join("") === "") throw invalidFormat(entry, value, index, firstAi);
    const element = buildElement(entry, matchGroups(full));
    checkElement(element, index, firstAi);
    return element;
  });
}
