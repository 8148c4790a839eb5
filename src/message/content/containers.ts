/**
 * Opening the containers sniffing found: zip (Office document, program or archive), CFB (Office, MSI,
 * Outlook .msg), gzip, tar, TNEF. Each refines the Work of its item and sends members to a MemberSink.
 * A broken or over-limit container becomes a reason (unscannable), never an exception.
 */
import { open, readFile } from 'node:fs/promises';
import { markingsInBody, markingsInHeaders, markingsInSubject } from '../markings.js';
import type { MarkingHit } from '../model.js';
import type { ContentInput, ContentReport } from './analysis-work.js';
import { messageOf, sourceOf, type Env, type Work } from './analysis-work.js';
import { ArchiveLimitError } from './archive-limits.js';
import { expandGzip } from './archive-gzip.js';
import { expandTar } from './archive-tar.js';
import { expandZip } from './archive-zip.js';
import type { PartBlob } from './blob.js';
import { memberSink } from './member-sink.js';
import type { FoundMember } from './members.js';
import { CompoundFile, fileSource } from './compound-file.js';
import { classifyCfb, inspectCfb, type CfbClassification } from './office-cfb.js';
import { classifyZip, inspectZipDocument } from './office-ooxml.js';
import { expandPackage, hasNonPartMembers, listedPackageMember } from './office-package.js';
import type { ObjectView } from './cfb-view.js';
import { expandObjects, objectPaths } from './ole-objects.js';
import { PPT_DOCUMENT } from './ppt-objects.js';
import { rtfObjects } from './rtf-objects.js';
import { readOutlookMessage } from './outlook-msg.js';
import { readTnef } from './tnef.js';
import { wholeReads } from './whole-read-budget.js';
import { openZip } from './zip-file.js';

/** Containers read whole into memory (CFB, .msg, TNEF) are not opened above this size. */
export const CONTAINER_READ_LIMIT = 64 * 1024 * 1024;

/** May this item's members be opened, or is it too deep already? */
function canNest(input: ContentInput, env: Env, work: Work): boolean {
  if (input.depth + 1 <= env.budget.maxDepth) return true;
  work.reasons.push(`nested too deep: containers more than ${env.budget.maxDepth} levels down are not opened`);
  return false;
}

/** Run a container walk; a broken container becomes a reason. Only an abort propagates. */
async function walk(env: Env, work: Work, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (env.ctx.options.signal?.aborted) throw err;
    work.reasons.push(err instanceof ArchiveLimitError ? err.reason : `cannot read ${what}: ${messageOf(err)}`);
  }
}

interface Whole {
  readonly bytes: Buffer;
  /** Gives the whole-read budget back: call when the analysis is done with the bytes. */
  readonly release: () => void;
}

/**
 * The whole content in memory, for libraries that need it (cfb, msgreader, TNEF); null past the
 * limit. Bytes still in memory cost nothing more; a spilled file is read back only when the
 * process-wide whole-read budget allows (see whole-read-budget.ts).
 */
export async function wholeContent(blob: PartBlob, env: Env): Promise<Whole | null> {
  if (blob.buffer) return { bytes: blob.buffer, release: () => undefined };
  if (!blob.path || blob.size > CONTAINER_READ_LIMIT) return null;
  const giveBack = await wholeReads.acquire(blob.size, { nested: env.wholeHeld > 0, ...(env.ctx.options.signal ? { signal: env.ctx.options.signal } : {}) });
  env.wholeHeld++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    env.wholeHeld--;
    giveBack();
  };
  try {
    return { bytes: await readFile(blob.path), release };
  } catch (err) {
    release();
    throw err;
  }
}

export async function openZipItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  let zip;
  try {
    zip = await openZip(input.blob);
  } catch (err) {
    work.reasons.push(`cannot open zip: ${messageOf(err)}`);
    return;
  }
  try {
    const kind = await classifyZip(zip);
    Object.assign(work, { mime: kind.mime, ext: kind.ext, family: kind.family, contentFamily: kind.family });
    if (kind.role !== 'archive') work.basis = 'container';
    let walked = kind.role === 'archive';
    if (kind.role === 'document') {
      const found = await inspectZipDocument(zip, kind, env.ctx.options.markings, sourceOf(input));
      work.macros = found.macros;
      work.encrypted = found.encrypted;
      work.markings.push(...found.markings);
      // A document is a container too: what it carries is looked at like an archive's members.
      // Too deep to open, a package of XML parts alone is no loss; anything more is.
      const room = input.depth + 1 <= env.budget.maxDepth;
      if (!found.encrypted && (room || (hasNonPartMembers(zip) && canNest(input, env, work)))) {
        const opened = zip;
        const sink = memberSink(input, env, work, listedPackageMember);
        await walk(env, work, `${kind.ext} members`, () => expandPackage(opened, sink, env.ctx.options.signal));
        walked = true;
      }
    } else if (kind.role === 'archive' && canNest(input, env, work)) {
      const opened = zip;
      await walk(env, work, 'zip', () => expandZip(opened, memberSink(input, env, work)));
    }
    // A program (or a document not walked) glued to another zip, or with local entries its directory hides
    // (zip-file.ts): what an extractor would find in it is inspected like an archive's members.
    if (zip.anomalies.length && !walked && canNest(input, env, work)) {
      const opened = zip;
      await walk(env, work, 'zip', () => expandZip(opened, memberSink(input, env, work)));
    }
  } finally {
    zip.close();
  }
}

/** The members of a zip glued after a picture, a PDF ... (the item keeps the type its head says). */
export async function openAppendedZip(input: ContentInput, env: Env, work: Work): Promise<void> {
  if (!canNest(input, env, work)) return;
  let zip;
  try {
    zip = await openZip(input.blob);
  } catch (err) {
    work.reasons.push(`cannot open the zip glued to the end: ${messageOf(err)}`);
    return;
  }
  try {
    const opened = zip;
    await walk(env, work, 'zip', () => expandZip(opened, memberSink(input, env, work)));
  } finally {
    zip.close();
  }
}

export async function openCfbItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  // A large file waits in a temp file: read its directory and the few small streams that decide
  // in place, and copy its embedded objects out in pieces. An Outlook message (msgreader wants it
  // whole), or a file the in-place reader cannot follow, goes the whole-file way, where `cfb` has
  // the last word on what is wrong with it.
  if (!input.blob.buffer && input.blob.path) {
    env.ctx.options.signal?.throwIfAborted();
    if (await openCfbInPlace(input.blob.path, input.blob.size, input, env, work)) return;
  }
  const whole = await wholeContent(input.blob, env);
  if (!whole) {
    work.reasons.push(`compound (OLE) file over ${CONTAINER_READ_LIMIT} bytes not opened`);
    return;
  }
  try {
    await analyseCfb(whole.bytes, input, env, work);
  } finally {
    whole.release();
  }
}

/** True when the file was classified (and its objects walked) in place; false to go the whole-file way. */
async function openCfbInPlace(path: string, size: number, input: ContentInput, env: Env, work: Work): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    let view: ObjectView;
    let found: CfbClassification;
    try {
      const file = await CompoundFile.open(fileSource(fh, size));
      const byPath = new Map(file.entries.map((e) => [e.path, e]));
      const streamOf = (p: string) => {
        const entry = byPath.get(p);
        return entry?.type === 'stream' ? entry : undefined;
      };
      view = {
        paths: file.entries.map((e) => e.path),
        rootClsid: file.rootClsid,
        stream: async (p, max) => {
          const entry = streamOf(p);
          return entry ? file.read(entry, max) : null;
        },
        size: (p) => streamOf(p)?.size ?? null,
        chunks: (p, offset, length) => {
          const entry = streamOf(p);
          return entry ? file.chunks(entry, offset, length) : [];
        },
      };
      found = await classifyCfb(view, env.ctx.options.markings, sourceOf(input));
    } catch (err) {
      if (env.ctx.options.signal?.aborted) throw err;
      return false;
    }
    if (found.outlookMessage) return false;
    applyCfb(work, found);
    await openObjects(view, found, input, env, work);
    return true;
  } finally {
    await fh.close();
  }
}

/** PowerPoint's object records are OLE wrappers: what they hold is listed, not the wrapper (unless it is more). */
function listedObject(path: string, report: ContentReport): boolean {
  return !(path.startsWith(`${PPT_DOCUMENT}/`) && report.detected.ext === 'cfb' && report.unscannable === null);
}

/** Embedded objects of a document or OLE object (not of installers, messages or encrypted files). */
async function openObjects(view: ObjectView, found: CfbClassification, input: ContentInput, env: Env, work: Work): Promise<void> {
  if (found.encrypted || found.outlookMessage || found.family === 'executable') return;
  const { storages, streams } = objectPaths(view.paths);
  const objects = storages.length + streams.length > 0 || (found.ext === 'ppt' && view.paths.includes(PPT_DOCUMENT));
  if (!objects || !canNest(input, env, work)) return;
  // A copied-out storage counts while it is analysed; nested: the outer read may hold budget already.
  const hold = (bytes: number) => wholeReads.acquire(bytes, { nested: true });
  await walk(env, work, 'embedded objects', () => expandObjects(view, memberSink(input, env, work, listedObject), hold));
}

function applyCfb(work: Work, found: CfbClassification): void {
  Object.assign(work, { mime: found.mime, ext: found.ext, family: found.family, macros: found.macros, encrypted: found.encrypted });
  // An encrypted OOXML package could be any Office type: no family to hold the name to.
  work.contentFamily = found.encrypted && found.ext === '' ? 'unknown' : found.family;
  work.basis = 'container';
  work.markings.push(...found.markings);
}

async function analyseCfb(bytes: Buffer, input: ContentInput, env: Env, work: Work): Promise<void> {
  let found;
  try {
    found = await inspectCfb(bytes, env.ctx.options.markings, sourceOf(input));
  } catch (err) {
    // `cfb` trips over its own reads on a cut-short file: say what that means, not which property it missed.
    const why = err instanceof TypeError || err instanceof RangeError ? 'the file is damaged or cut short' : messageOf(err);
    work.reasons.push(`cannot read compound (OLE) file: ${why}`);
    return;
  }
  applyCfb(work, found);
  if (found.outlookMessage) await openOutlookMessage(input, env, work, found.rewritten);
  else await openObjects(found.view, found, input, env, work);
}

function relabel(hits: MarkingHit[], source: string): MarkingHit[] {
  return hits.map((h) => ({ ...h, source }));
}

async function openOutlookMessage(input: ContentInput, env: Env, work: Work, rewritten: () => Buffer): Promise<void> {
  let msg;
  try {
    msg = readOutlookMessage(rewritten());
  } catch (err) {
    work.reasons.push(`cannot read Outlook message: ${messageOf(err)}`);
    return;
  }
  const { markings } = env.ctx.options;
  const source = sourceOf(input);
  work.attachedMessage = { subject: msg.subject, from: msg.from };
  work.markings.push(
    ...relabel(markingsInSubject(msg.subject, markings), source),
    ...markingsInBody(msg.body, markings, source),
    ...relabel(markingsInHeaders(msg.headers, markings), source),
  );
  if (msg.attachments.length === 0 || !canNest(input, env, work)) return;
  const sink = memberSink(input, env, work);
  await walk(env, work, 'Outlook message', async () => {
    for (const att of msg.attachments) {
      const member: FoundMember = att.content
        ? { path: att.name, source: [att.content] }
        : { path: att.name, unreadable: `unreadable Outlook attachment (${att.error ?? 'no data'})` };
      if ((await sink(member)) === 'stop') return;
    }
  });
}

export async function openTnefItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  const whole = await wholeContent(input.blob, env);
  if (!whole) {
    work.reasons.push(`TNEF over ${CONTAINER_READ_LIMIT} bytes not opened`);
    return;
  }
  try {
    await analyseTnef(whole.bytes, input, env, work);
  } finally {
    whole.release();
  }
}

async function analyseTnef(bytes: Buffer, input: ContentInput, env: Env, work: Work): Promise<void> {
  let tnef;
  try {
    tnef = readTnef(bytes);
  } catch (err) {
    work.reasons.push(`cannot read TNEF: ${messageOf(err)}`);
    return;
  }
  const { markings } = env.ctx.options;
  const source = sourceOf(input);
  work.basis = 'container';
  work.attachedMessage = { subject: tnef.subject, from: [] };
  work.markings.push(...relabel(markingsInSubject(tnef.subject, markings), source), ...markingsInBody(tnef.body, markings, source));
  if (tnef.attachments.length === 0 || !canNest(input, env, work)) return;
  const sink = memberSink(input, env, work);
  await walk(env, work, 'TNEF', async () => {
    for (const [i, att] of tnef.attachments.entries()) {
      const path = att.name || `attachment-${i + 1}`;
      const member: FoundMember = att.content ? { path, source: [att.content] } : { path, unreadable: 'TNEF attachment without data' };
      if ((await sink(member)) === 'stop') return;
    }
  });
}

/** RTF: the OLE objects Word would open (see rtf-objects.ts). Files without \objdata cost one search. */
export async function openRtfItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  const whole = await wholeContent(input.blob, env);
  if (!whole) {
    work.reasons.push(`RTF over ${CONTAINER_READ_LIMIT} bytes not opened`);
    return;
  }
  try {
    const rtf = whole.bytes;
    if (!rtf.includes('\\objdata', 0, 'latin1') || !canNest(input, env, work)) return;
    const sink = memberSink(input, env, work);
    await walk(env, work, 'RTF objects', async () => {
      for (const member of rtfObjects(rtf)) {
        env.ctx.options.signal?.throwIfAborted();
        if ((await sink(member)) === 'stop') return;
      }
    });
  } finally {
    whole.release();
  }
}

export async function openGzipItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  if (!canNest(input, env, work)) return;
  await walk(env, work, 'gzip', () => expandGzip(input.blob, input.name, memberSink(input, env, work)));
}

export async function openTarItem(input: ContentInput, env: Env, work: Work): Promise<void> {
  if (!canNest(input, env, work)) return;
  await walk(env, work, 'tar', () => expandTar(input.blob, memberSink(input, env, work)));
}
