/**
 * Removes NUL bytes from message data, chunk by chunk.
 *
 * Why: RFC 5322 2.3 and RFC 6152 forbid NUL in a message, yet SMTP carries it. Mail clients read
 * it differently (C-string code stops at it, others skip it), so bytes after a NUL can mean one
 * thing to our parser and another to the recipient. Deleting every NUL before spooling and
 * inspecting makes what we inspect what we deliver. Deleting, not replacing: a NUL is no
 * character in any charset a client would show, and a stand-in could itself split a token.
 */

const NUL = 0x00;

export class NulStripper {
  /** How many NUL bytes were seen so far. */
  count = 0;

  /** Returns `chunk` without its NUL bytes (the same buffer when it has none). */
  push(chunk: Buffer): Buffer {
    let at = chunk.indexOf(NUL);
    if (at === -1) return chunk;
    const parts: Buffer[] = [];
    let from = 0;
    while (at !== -1) {
      this.count++;
      if (at > from) parts.push(chunk.subarray(from, at));
      from = at + 1;
      at = chunk.indexOf(NUL, from);
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
    return Buffer.concat(parts);
  }
}
