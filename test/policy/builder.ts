/**
 * Builds InspectedMessage values for policy tests: plain data shaped like the parser's output,
 * so checks and the engine run exactly as they do on real mail.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { buildPolicy, defaultPolicyPath, parsePolicy } from '../../src/config/load-policy.js';
import type { Policy } from '../../src/config/policy-schema.js';
import { makeEnvelope, type Envelope } from '../../src/message/envelope.js';
import type {
  Address,
  Anomaly,
  Attachment,
  DetectedType,
  EncryptionKind,
  HeaderField,
  HeaderList,
  InspectedMessage,
  MarkingHit,
  TypeFamily,
} from '../../src/message/model.js';
import type { CheckContext } from '../../src/policy/check.js';
import { computeFacts } from '../../src/policy/facts-compute.js';

export function headerList(fields: readonly (readonly [string, string])[]): HeaderList {
  const list: HeaderField[] = fields.map(([name, value]) => ({ name: name.toLowerCase(), value }));
  const all = (name: string) => list.filter((f) => f.name === name.toLowerCase()).map((f) => f.value);
  return {
    fields: list,
    get: (name) => all(name)[0],
    getAll: all,
    count: (name) => all(name).length,
    has: (name) => all(name).length > 0,
  };
}

type Kind =
  | 'jpeg' | 'png' | 'gif' | 'mp3' | 'mp4'
  | 'doc' | 'docx' | 'docm' | 'xls' | 'xlsx' | 'xlsm' | 'pptx' | 'pdf'
  | 'zip' | '7z' | 'exe' | 'js' | 'txt' | 'html' | 'eml' | 'p7m' | 'p7s' | 'unknown';

const KINDS: Record<Kind, [mime: string, ext: string, family: TypeFamily]> = {
  jpeg: ['image/jpeg', 'jpg', 'image'],
  png: ['image/png', 'png', 'image'],
  gif: ['image/gif', 'gif', 'image'],
  mp3: ['audio/mpeg', 'mp3', 'audio'],
  mp4: ['video/mp4', 'mp4', 'video'],
  doc: ['application/msword', 'doc', 'word'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx', 'word'],
  docm: ['application/vnd.ms-word.document.macroenabled.12', 'docm', 'word'],
  xls: ['application/vnd.ms-excel', 'xls', 'excel'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'excel'],
  xlsm: ['application/vnd.ms-excel.sheet.macroenabled.12', 'xlsm', 'excel'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx', 'office-other'],
  pdf: ['application/pdf', 'pdf', 'pdf'],
  zip: ['application/zip', 'zip', 'archive'],
  '7z': ['application/x-7z-compressed', '7z', 'archive'],
  exe: ['application/x-msdownload', 'exe', 'executable'],
  js: ['application/javascript', 'js', 'executable'],
  txt: ['text/plain', 'txt', 'text'],
  html: ['text/html', 'html', 'text'],
  eml: ['message/rfc822', 'eml', 'message'],
  p7m: ['application/pkcs7-mime', 'p7m', 'encrypted'],
  p7s: ['application/pkcs7-signature', 'p7s', 'unknown'],
  unknown: ['application/octet-stream', '', 'unknown'],
};

export function detected(kind: Kind, extra: Partial<DetectedType> = {}): DetectedType {
  const [mime, ext, family] = KINDS[kind];
  return {
    mime,
    ext,
    family,
    macros: kind === 'docm' || kind === 'xlsm',
    encrypted: false,
    basis: kind === 'js' ? 'name' : 'magic',
    ...extra,
  };
}

let partCounter = 1;

/** A MIME part of the outer message (attachment disposition unless told otherwise). */
export function part(name: string | null, kind: Kind, extra: Partial<Attachment> = {}): Attachment {
  const id = extra.id ?? String(++partCounter);
  return {
    id,
    location: name ? [name] : [],
    origin: 'part',
    depth: 0,
    name,
    rawName: null,
    nameTricks: [],
    declaredType: KINDS[kind][0],
    disposition: 'attachment',
    contentId: null,
    size: 10_000,
    sha256: '0'.repeat(64),
    detected: detected(kind),
    unscannable: null,
    markings: [],
    ...extra,
  };
}

/** A file inside an archive (or other container) item. */
export function member(container: Attachment, name: string, kind: Kind, extra: Partial<Attachment> = {}): Attachment {
  return part(name, kind, {
    id: `${container.id}/${name}`,
    location: [...container.location, name],
    origin: 'member',
    depth: container.depth + 1,
    declaredType: '',
    disposition: null,
    ...extra,
  });
}

/** The plain-text body part, as the parser lists it. */
export function bodyPart(kind: 'txt' | 'html' = 'txt'): Attachment {
  return part(null, kind, { disposition: null, id: '1' });
}

export function mark(level: string, rank: number, source = 'subject', text = level): MarkingHit {
  return { level, rank, source, text };
}

type AddressInput = string | Address;
const addr = (a: AddressInput): Address => (typeof a === 'string' ? { name: '', address: a } : a);

export interface MessageInput {
  subject?: string;
  from?: AddressInput[];
  to?: AddressInput[];
  cc?: AddressInput[];
  headers?: (readonly [string, string])[];
  bodyText?: string;
  attachments?: Attachment[];
  size?: number;
  encryption?: EncryptionKind | null;
  markings?: MarkingHit[];
  anomalies?: Anomaly[];
}

export function message(m: MessageInput = {}): InspectedMessage {
  const subject = m.subject ?? 'Case file update';
  const from = (m.from ?? ['alex.turner@met.police.uk']).map(addr);
  const to = (m.to ?? []).map(addr);
  const cc = (m.cc ?? []).map(addr);
  return {
    headers: headerList([['Subject', subject], ...(m.headers ?? [])]),
    subject,
    messageId: '<test@met.police.uk>',
    from,
    to,
    cc,
    bcc: [],
    size: m.size ?? 4_000,
    sha256: 'f'.repeat(64),
    bodyText: m.bodyText ?? 'Hello,\nSee below.\nAlex',
    attachments: m.attachments ?? [],
    encryption: m.encryption ?? null,
    markings: m.markings ?? [],
    anomalies: m.anomalies ?? [],
    attachedMessages: [],
  };
}

export function envelope(mailFrom: string, rcptTo: string[], extra: Partial<Envelope> = {}): Envelope {
  return makeEnvelope({ mailFrom, rcptTo, ...extra });
}

let cached: Policy | undefined;

/** config/policy.yaml, loaded through the real loader. */
export function defaultPolicy(): Policy {
  cached ??= parsePolicy(readFileSync(defaultPolicyPath(), 'utf8'), defaultPolicyPath());
  return cached;
}

/** The default policy with changes, validated by the same code as a file. */
export function policyWith(change: (draft: Record<string, any>) => void): Policy {
  const draft = parseYaml(readFileSync(defaultPolicyPath(), 'utf8')) as Record<string, any>;
  change(draft);
  return buildPolicy(draft, defaultPolicyPath());
}

/** A check context as the engine builds it. */
export function context(msg: InspectedMessage, env: Envelope, policy: Policy = defaultPolicy()): CheckContext {
  return { message: msg, envelope: env, policy, facts: computeFacts(msg, env, policy) };
}

export const SENDER = 'alex.turner@met.police.uk';
