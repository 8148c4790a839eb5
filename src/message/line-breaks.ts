/**
 * Line breaks of decoded text, made LF. `replaceAll` with a string pattern is a plain substring
 * scan, about twice as fast as the regular expression /\r\n?/g on a megabyte of text; a lone CR
 * (rare: the intake already made line endings CRLF) then becomes LF too.
 */
const LONE_CR = /\r/g;

export function toLf(text: string): string {
  if (!text.includes('\r')) return text;
  const lf = text.replaceAll('\r\n', '\n');
  return lf.includes('\r') ? lf.replace(LONE_CR, '\n') : lf;
}

/** True when every character is ASCII: a UTF-8 byte per character (a native count, no scan in JS). */
export function isAsciiText(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}
