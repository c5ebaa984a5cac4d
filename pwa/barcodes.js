/**
 * Barcode interpretation for the handheld: the twin of the server's app/domain/barcodes.
 *
 * interpret(raw, settings) reads one scan as the scanner typed it. It returns a plain object in
 * the same JSON shape as the server's POST /api/v1/barcodes/interpret, of kind "gtin", "sscc",
 * "gs1" or "code". A scan that cannot be read gives kind "error" with a code and a message.
 * The rules, codes and messages match the server's; tests/barcode_vectors.json is run against
 * both and any difference fails. See app/domain/barcodes/interpret.py for the reading rules in
 * prose (which data is a GTIN, which is GS1, which is a plain code).
 *
 * Plain ES modules, no dependencies. The code lives in pwa/barcodes/, one module for each module
 * of the server's package; this entry module only re-exports the public names:
 *
 * - barcodes/errors.js: error codes, and how messages show a value (visible);
 * - barcodes/ai_table.js: the GS1 application identifier table, copied from biip (5.x);
 * - barcodes/gs1.js: element strings, check digits and dates;
 * - barcodes/digital_link.js: GS1 Digital Link URIs;
 * - barcodes/results.js: field names of a GS1 reading;
 * - barcodes/interpret.js: reading one scan (interpret, splitScans);
 * - barcodes/resolve.js: the product barcodes a reading may match (productCodes).
 */

export { AI_TABLE } from "./barcodes/ai_table.js";
export { ErrorCode, visible } from "./barcodes/errors.js";
export { checkDigit, GS } from "./barcodes/gs1.js";
export { interpret, MAX_SCAN_LENGTH, splitScans } from "./barcodes/interpret.js";
export { productCodes } from "./barcodes/resolve.js";
export { MEASURE_FIELDS, NAMED_FIELDS } from "./barcodes/results.js";
