/**
 * Counts `Received:` fields in the top header block as the (normalised) data streams past.
 * RFC 5321 6.3: a message that went round too many hops is in a loop and must be refused;
 * we stop at the configured limit (default 50) with 554 5.4.6.
 */

const LF = 0x0a;
/** Enough of a line to recognise `Received :` with a space before the colon. */
const PREFIX_CHARS = 10;
/** A header block this large is malformed anyway (inspection reports it); stop counting. */
const MAX_SCAN_BYTES = 1024 * 1024;

export class ReceivedCounter {
  count = 0;
  /** True once the blank line that ends the header block was seen (or the scan gave up). */
  done = false;
  private prefix = '';
  private scanned = 0;

  feed(chunk: Buffer): void {
    let pos = 0;
    while (!this.done && pos < chunk.length) {
      const lf = chunk.indexOf(LF, pos);
      const end = lf === -1 ? chunk.length : lf + 1;
      if (this.prefix.length < PREFIX_CHARS) {
        this.prefix += chunk.toString('latin1', pos, Math.min(end, pos + PREFIX_CHARS - this.prefix.length));
      }
      this.scanned += end - pos;
      if (lf !== -1) this.endLine();
      if (this.scanned > MAX_SCAN_BYTES) this.done = true;
      pos = end;
    }
  }

  private endLine(): void {
    const line = this.prefix;
    this.prefix = '';
    if (line === '\r\n' || line === '\n') this.done = true;
    else if (/^received[ \t]*:/i.test(line)) this.count++;
  }
}
