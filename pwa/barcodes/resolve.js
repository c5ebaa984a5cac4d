/**
 * Product barcode lookup for a reading: the twin of product_codes in app/domain/barcodes/resolve.py.
 */

import { checkDigit } from "./gs1.js";
import { DIGITS, GTIN_NAMES } from "./interpret.js";

/**
 * Return the product barcode codes a successful reading may match, and how many units one scan
 * of it counts per barcode unit: {codes, multiplier}. Stored product barcodes are 14-digit GTINs
 * or internal codes; the server's resolve.product_codes applies the same rules.
 */
export function productCodes(result) {
  if (result.kind === "gtin") return { codes: [result.gtin], multiplier: 1 };
  if (result.kind === "gs1") {
    if (result.gtin) return { codes: [result.gtin], multiplier: result.count || 1 };
    if (result.content_gtin) return { codes: [result.content_gtin], multiplier: result.content_count || 1 };
    return { codes: [result.text], multiplier: 1 };
  }
  if (result.kind === "sscc" || result.kind === "error") return { codes: [], multiplier: 1 };
  // A GTIN printed in a non-GS1 symbology (plain Code 128) is still that product's GTIN.
  const text = result.text;
  if (DIGITS.test(text) && text.length in GTIN_NAMES && checkDigit(text.slice(0, -1)) === Number(text[text.length - 1])) {
    return { codes: [text, text.padStart(14, "0")], multiplier: 1 };
  }
  return { codes: [text], multiplier: 1 };
}
