/**
 * Content with no magic: is it text, and what kind? HTML and SVG that carry script (a <script> element,
 * an on*= event handler, a javascript: URL) run code when opened in a browser, so they count as executable.
 * Scans are linear: candidates are found with simple patterns and judged in one forward pass.
 */
import { isUtf8 } from 'node:buffer';
import { scanMarkup } from './html-active.js';

export type TextKind = 'html' | 'svg' | 'xml' | 'excel-xml' | 'word-xml' | 'message' | 'pgp' | 'plain';

/**
 * Mostly printable (no NUL, at most 5% control bytes) in the sample? UTF-8 and UTF-16 with BOM count as text;
 * so does a legacy 8-bit charset, as long as bytes above 0x7F are a minority (binary noise is not text).
 */
export function looksLikeText(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  if (sample.length >= 2 && ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))) {
    return true;
  }
  let control = 0;
  let high = 0;
  for (let i = 0; i < sample.length; i += 1) {
    const b = sample[i]!;
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control += 1;
    else if (b >= 0x80) high += 1;
  }
  if (control * 20 > sample.length) return false;
  // The sample may end inside a UTF-8 sequence: judge it without its last three bytes.
  return high * 10 <= sample.length * 3 || isUtf8(sample.subarray(0, Math.max(0, sample.length - 3)));
}

/** Decode a text sample for sniffing (UTF-16 by BOM, else latin1 so that every byte maps to one character). */
export function decodeSample(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return swapped.swap16().toString('utf16le');
  }
  return bytes.toString('latin1');
}

/** What kind of text the start of the content is. */
export function textKind(start: string): TextKind {
  const s = start.slice(0, 4096).replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart().toLowerCase();
  if (s.startsWith('-----begin pgp message-----')) return 'pgp';
  if (s.includes('<?mso-application progid="excel.sheet"?>')) return 'excel-xml';
  if (s.includes('<?mso-application progid="word.document"?>')) return 'word-xml';
  if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(s)) return 'svg';
  if (/^(?:<!--[\s\S]*?-->\s*)*<!doctype html/.test(s) || /^<(?:html|head|body|script|iframe|meta|title)[\s>]/.test(s)) {
    return 'html';
  }
  if (/<html[\s>]/.test(s) && /<\/?(?:body|head|script)[\s>]/.test(s)) return 'html';
  if (s.startsWith('<?xml')) return 'xml';
  if (looksLikeMessage(s)) return 'message';
  return 'plain';
}

const MESSAGE_FIELDS = /^(?:received|from|to|subject|date|message-id|mime-version|return-path|content-type|delivered-to):/gm;

/** An RFC 5322 message: starts with a header field, and several well-known fields follow. */
function looksLikeMessage(s: string): boolean {
  if (!/^[a-z0-9-]{1,76}:[ \t]/.test(s)) return false;
  const head = s.slice(0, 4096);
  const end = head.search(/\r?\n\r?\n/);
  const fields = new Set((end < 0 ? head : head.slice(0, end)).match(MESSAGE_FIELDS) ?? []);
  // A transport field as well: a forwarded header block pasted into a body has From/To/Subject only.
  const transport = ['received:', 'message-id:', 'mime-version:', 'return-path:', 'delivered-to:'].some((f) => fields.has(f));
  return fields.size >= 3 && transport;
}

/** Active content in HTML/SVG/XML markup, or null (see html-active.ts; callers bound the length). */
export function findScript(text: string): string | null {
  return scanMarkup(text).active;
}
