/**
 * TNEF (winmail.dat, application/ms-tnef): Outlook's wrapper for rich mail. We decode the parts that matter
 * to policy: the subject, a plain body, and every attachment (name and bytes); an embedded message
 * (PR_ATTACH_DATA_OBJ) is itself TNEF and is handed back as a member to be decoded in turn.
 * RTF bodies (compressed RTF) are not decoded. Every read is bounds-checked.
 */

export interface TnefAttachment {
  name: string;
  content: Buffer | null;
}

export interface TnefMessage {
  readonly subject: string;
  readonly body: string;
  readonly attachments: readonly TnefAttachment[];
}

const SIGNATURE = 0x223e9f78;
const LVL_MESSAGE = 0x01;
const ATT_SUBJECT = 0x00018004;
const ATT_BODY = 0x0002800c;
const ATT_MAPI_PROPS = 0x00069003;
const ATT_ATTACH_RENDDATA = 0x00069002;
const ATT_ATTACH_TITLE = 0x00018010;
const ATT_ATTACH_DATA = 0x0006800f;
const ATT_ATTACHMENT = 0x00069005;

const PR_SUBJECT = 0x0037;
const PR_BODY = 0x1000;
const PR_ATTACH_DATA_OBJ = 0x3701;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_DISPLAY_NAME = 0x3001;
const MAX_ATTACHMENTS = 1000;

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.toString('latin1', 0, nul < 0 ? buf.length : nul);
}

export function isTnef(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === SIGNATURE;
}

/** Decode a TNEF stream. Throws only on a missing signature; truncation ends the walk quietly. */
export function readTnef(buf: Buffer): TnefMessage {
  if (!isTnef(buf)) throw new Error('not a TNEF stream');
  let subject = '';
  let body = '';
  const attachments: TnefAttachment[] = [];
  let current: TnefAttachment | null = null;
  let at = 6;
  while (at + 9 <= buf.length) {
    const level = buf[at]!;
    const id = buf.readUInt32LE(at + 1);
    const len = buf.readUInt32LE(at + 5);
    const start = at + 9;
    if (start + len > buf.length) break;
    const data = buf.subarray(start, start + len);
    at = start + len + 2; // checksum
    if (level === LVL_MESSAGE) {
      if (id === ATT_SUBJECT) subject = cString(data);
      else if (id === ATT_BODY) body = cString(data);
      else if (id === ATT_MAPI_PROPS) {
        const props = mapiProps(data);
        subject ||= stringProp(props.get(PR_SUBJECT)) ?? '';
        body ||= stringProp(props.get(PR_BODY)) ?? '';
      }
      continue;
    }
    if (id === ATT_ATTACH_RENDDATA) {
      if (attachments.length >= MAX_ATTACHMENTS) break;
      current = { name: '', content: null };
      attachments.push(current);
    } else if (current && id === ATT_ATTACH_TITLE) {
      current.name ||= cString(data);
    } else if (current && id === ATT_ATTACH_DATA) {
      current.content = data;
    } else if (current && id === ATT_ATTACHMENT) {
      const props = mapiProps(data);
      const long = stringProp(props.get(PR_ATTACH_LONG_FILENAME)) ?? stringProp(props.get(PR_DISPLAY_NAME));
      if (long) current.name = long;
      const obj = props.get(PR_ATTACH_DATA_OBJ);
      // An embedded message: a 16-byte interface id, then the message as TNEF.
      if (obj && obj.type === 0x000d && obj.value.length > 16 && !current.content) {
        current.content = obj.value.subarray(16);
        if (!/\.(?:msg|dat)$/i.test(current.name)) current.name = `${current.name || 'embedded'}.dat`;
      }
    }
  }
  return { subject, body, attachments };
}

interface MapiValue {
  readonly type: number;
  readonly value: Buffer;
}

function stringProp(p: MapiValue | undefined): string | null {
  if (!p) return null;
  if (p.type === 0x001f) return p.value.toString('utf16le').replace(/\0+$/, '');
  if (p.type === 0x001e) return cString(p.value);
  return null;
}

const FIXED_SIZE: Record<number, number> = {
  0x0002: 4, 0x000b: 4, 0x0003: 4, 0x0004: 4, 0x000a: 4,
  0x0005: 8, 0x0006: 8, 0x0007: 8, 0x0014: 8, 0x0040: 8, 0x0048: 16, 0x0001: 0, 0x0000: 0,
};
const VARIABLE = new Set([0x001e, 0x001f, 0x0102, 0x000d]);

/** A MAPI property list: the first value of each (non-named) property, by property id. */
function mapiProps(buf: Buffer): Map<number, MapiValue> {
  const props = new Map<number, MapiValue>();
  try {
    const count = Math.min(buf.readUInt32LE(0), 10_000);
    let p = 4;
    for (let i = 0; i < count && p + 4 <= buf.length; i += 1) {
      const rawType = buf.readUInt16LE(p);
      const id = buf.readUInt16LE(p + 2);
      p += 4;
      if (id >= 0x8000) {
        const kind = buf.readUInt32LE(p + 16);
        p += 20;
        if (kind === 0) p += 4;
        else {
          const n = buf.readUInt32LE(p);
          p += 4 + n + ((4 - (n % 4)) % 4);
        }
      }
      const multi = (rawType & 0x1000) !== 0;
      const type = rawType & ~0x1000;
      let values = 1;
      if (multi || VARIABLE.has(type)) {
        values = Math.min(buf.readUInt32LE(p), 10_000);
        p += 4;
      }
      for (let v = 0; v < values && p <= buf.length; v += 1) {
        let value: Buffer;
        if (VARIABLE.has(type)) {
          const n = buf.readUInt32LE(p);
          value = buf.subarray(p + 4, p + 4 + n);
          p += 4 + n + ((4 - (n % 4)) % 4);
        } else {
          const size = FIXED_SIZE[type];
          if (size === undefined) return props; // unknown type: cannot find the next property
          if (size === 0) break;
          value = buf.subarray(p, p + size);
          p += size;
        }
        if (v === 0 && !props.has(id)) props.set(id, { type, value });
      }
    }
  } catch {
    // RangeError on a truncated list: keep what was read.
  }
  return props;
}
