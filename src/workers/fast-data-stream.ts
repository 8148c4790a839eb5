/**
 * A faster body for nodemailer's DataStream, the transform every outgoing message passes through
 * (it stuffs dots at line starts and turns bare CR and bare LF into CRLF).
 *
 * nodemailer's own `_transform` looks at every byte in a JavaScript loop whose `prev` is
 * `number | false`: 4 to 5 ms of CPU per MB, the largest single cost of relaying big mail. The
 * rules only ever fire at a CR or LF, at the byte after one, and at the first byte of the stream,
 * so this version jumps from CR to LF with Buffer.indexOf (native) and applies the same rules, in
 * the same order, at those positions only: under 1 ms per MB for mail with ordinary lines.
 *
 * It is a patch of a third party's internals, so it is careful:
 * - it replaces the method only when nodemailer's is exactly the one it was written against (a
 *   hash of its source); any other version keeps nodemailer's own, and `fastDataStream.reason`
 *   says why (the worker logs it at start);
 * - test/workers/fast-data-stream.test.ts feeds both versions the same random bytes in random
 *   chunks and requires identical output and byte counters, and fails if the patch is not in place
 *   (so an upgrade of nodemailer is noticed and this is checked again, or removed).
 * Both of nodemailer's builds (ESM, which we import, and CommonJS) are patched alike.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** sha256 of the source of nodemailer 10.6's DataStream.prototype._transform (ESM and CJS builds). */
const KNOWN_TRANSFORMS = new Set(['f9011076cfb9b81d6f382bca2d600bc9fe9d40bbe0d4bed9a0563aab27e8d4d5']);

type Done = (error?: Error | null) => void;

/** The state nodemailer's DataStream keeps, which the transform reads and updates. */
interface DataStreamLike {
  inByteCount: number;
  outByteCount: number;
  /** The last byte of the previous chunk; false before the first. */
  lastByte: number | false;
  push(chunk: Buffer): boolean;
}

type Transform = (this: DataStreamLike, chunk: Buffer | string, encoding: BufferEncoding, done: Done) => void;

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

/** What to insert before `chunk[i]` (nodemailer's three rules, in its order), or null. */
function insertBefore(chunk: Buffer, i: number, lastByte: number | false): Buffer | null {
  const byte = chunk[i];
  const prev = i > 0 ? chunk[i - 1] : lastByte;
  if (prev === CR && byte !== LF) return byte === DOT ? INSERT_LF_DOT : INSERT_LF; // bare CR (a dot after it is stuffed too)
  if (byte === LF && prev !== CR) return INSERT_CR; // bare LF
  if (byte === DOT && (prev === LF || prev === false)) return INSERT_DOT; // a dot starting a line
  return null;
}

export const fastTransform: Transform = function (this: DataStreamLike, input, _encoding, done) {
  if (!input || !input.length) return done();
  const chunk = typeof input === 'string' ? Buffer.from(input) : input;
  const len = chunk.length;
  this.inByteCount += len;
  const lastByte = this.lastByte;

  let pieces: Buffer[] | null = null;
  let outLen = 0;
  let copied = 0; // chunk[0, copied) is in `pieces`
  let checked = -1; // positions up to here have had the rules applied
  const check = (i: number) => {
    checked = i;
    const insert = insertBefore(chunk, i, lastByte);
    if (!insert) return;
    pieces ??= [];
    if (i > copied) {
      pieces.push(chunk.subarray(copied, i));
      outLen += i - copied;
    }
    pieces.push(insert);
    outLen += insert.length;
    copied = i;
  };

  // A rule can fire only at a CR or LF, right after one, or at the first byte.
  check(0);
  let cr = chunk.indexOf(CR);
  let lf = chunk.indexOf(LF);
  while (cr >= 0 || lf >= 0) {
    let at: number;
    if (lf < 0 || (cr >= 0 && cr < lf)) {
      at = cr;
      cr = chunk.indexOf(CR, at + 1);
    } else {
      at = lf;
      lf = chunk.indexOf(LF, at + 1);
    }
    if (at > checked) check(at);
    if (at + 1 < len) check(at + 1);
  }

  const out = pieces as Buffer[] | null;
  if (out) {
    if (copied < len) {
      out.push(chunk.subarray(copied));
      outLen += len - copied;
    }
    this.outByteCount += outLen;
    this.push(Buffer.concat(out, outLen));
  } else {
    this.outByteCount += len;
    this.push(chunk);
  }
  this.lastByte = chunk[len - 1] as number;
  done();
};

/** Where the replaced method is kept on the prototype (found again if this module is loaded twice). */
const ORIGINAL = Symbol.for('mailwarden.nodemailerDataStreamTransform');

interface DataStreamClass {
  prototype: { _transform: Transform; [ORIGINAL]?: Transform };
}

export interface FastDataStreamStatus {
  /** True when every nodemailer build found runs fastTransform. */
  readonly installed: boolean;
  /** Why not, when not. */
  readonly reason: string | null;
  /** nodemailer's own transform (of the ESM build), kept for the comparison test. */
  readonly original: Transform | null;
  /** The classes that were looked at (ESM first). */
  readonly classes: readonly DataStreamClass[];
}

export function transformHash(fn: Transform): string {
  return createHash('sha256').update(fn.toString()).digest('hex');
}

async function install(): Promise<FastDataStreamStatus> {
  const none = (reason: string): FastDataStreamStatus => ({ installed: false, reason, original: null, classes: [] });
  let cjsEntry: string;
  try {
    cjsEntry = createRequire(import.meta.url).resolve('nodemailer'); // .../dist/cjs/nodemailer.js
  } catch (err) {
    return none(`nodemailer not found: ${(err as Error).message}`);
  }
  const dist = dirname(dirname(cjsEntry));
  const esmFile = join(dist, 'esm/smtp-connection/data-stream.js');
  const cjsFile = join(dist, 'cjs/smtp-connection/data-stream.js');
  if (!existsSync(esmFile) || !existsSync(cjsFile)) return none(`nodemailer's layout changed (no ${esmFile})`);
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dirname(dist), 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // the hash check below decides
  }
  const esm = ((await import(pathToFileURL(esmFile).href)) as { default: DataStreamClass }).default;
  const cjs = createRequire(import.meta.url)(cjsFile) as DataStreamClass;
  const classes = [esm, cjs];
  const originals = classes.map((cls) => cls.prototype[ORIGINAL] ?? cls.prototype._transform);
  const original = originals[0] ?? null;
  if (!originals.every((fn) => KNOWN_TRANSFORMS.has(transformHash(fn)))) {
    return { installed: false, reason: `nodemailer ${version}: DataStream is not the one this patch was checked against`, original, classes };
  }
  classes.forEach((cls, i) => {
    cls.prototype[ORIGINAL] = originals[i];
    cls.prototype._transform = fastTransform;
  });
  return { installed: true, reason: null, original, classes };
}

/** The outcome, settled when this module is imported (before any transport sends). */
export const fastDataStream: FastDataStreamStatus = await install().catch(
  (err: unknown): FastDataStreamStatus => ({ installed: false, reason: `could not patch: ${(err as Error).message}`, original: null, classes: [] }),
);
