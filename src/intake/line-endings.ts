/**
 * Rewrites every bare CR and bare LF in message data to CRLF, chunk by chunk.
 *
 * Why: smtp-server ends DATA only on CRLF.CRLF, but mailsplit splits lines on LF while nodemailer
 * rewrites every bare CR and LF to CRLF on the way out. A MIME boundary behind a bare CR is then
 * invisible to inspection yet real to the recipient: an attachment could ride past every check.
 * Spooling and inspecting the rewritten bytes makes what we inspect what we deliver.
 */

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

export class LineEndingNormaliser {
  /** How many bare CRs and LFs were rewritten so far. */
  bareCount = 0;
  /** A CR ended the previous chunk: whether it is bare depends on the next byte. */
  private pendingCr = false;

  /** Returns the normalised bytes of `chunk` (the same buffer when nothing needed rewriting). */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    let start = 0;
    const parts: Buffer[] = [];
    if (this.pendingCr) {
      this.pendingCr = false;
      // The CR from the previous chunk was held back; emit it with its LF (real or added).
      parts.push(CRLF);
      if (chunk[0] === LF) start = 1;
      else this.bareCount++;
    }
    let copyFrom = start;
    let pos = start;
    while (pos < chunk.length) {
      const cr = chunk.indexOf(CR, pos);
      const lf = chunk.indexOf(LF, pos);
      if (cr === -1 && lf === -1) break;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        // An LF before any CR: bare unless the byte before it is a CR (handled in the CR branch).
        parts.push(chunk.subarray(copyFrom, lf), CRLF);
        this.bareCount++;
        copyFrom = pos = lf + 1;
        continue;
      }
      // A CR at `cr`.
      if (cr === chunk.length - 1) {
        parts.push(chunk.subarray(copyFrom, cr));
        this.pendingCr = true;
        copyFrom = pos = chunk.length;
        break;
      }
      if (chunk[cr + 1] === LF) {
        pos = cr + 2; // a proper CRLF: keep copying
        continue;
      }
      parts.push(chunk.subarray(copyFrom, cr), CRLF);
      this.bareCount++;
      copyFrom = pos = cr + 1;
    }
    if (copyFrom === 0 && parts.length === 0) return chunk;
    parts.push(chunk.subarray(copyFrom));
    return Buffer.concat(parts);
  }

  /** Bytes still held back at the end of the data. */
  end(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    this.bareCount++;
    return CRLF;
  }
}
