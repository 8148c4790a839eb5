/**
 * One non-body leaf part becoming an Attachment: decoded bytes collected into a PartBlob,
 * the encryption/signature role judged from its first bytes, then analyseContent for the
 * true type, name tricks, markings and archive members.
 */
import { analyseContent, type ContentContext, type ContentReport } from './content/analyse.js';
import { bodyIsFile } from './body-sniff.js';
import { signedContent } from './cms-signed.js';
import { scanMarkup } from './content/html-active.js';
import { mayHoldEncodedFile } from './content/text-encoded-files.js';
import type { CollectedPart } from './part-collector.js';
import { cleanFileName } from './content/file-name.js';
import { disguisedPayload, partRole, roleUnscannable, type LeafFacts, type PartRole } from './encryption.js';
import type { Attachment, DetectedType, NameTrick } from './model.js';
import type { ParseContext } from './parse-context.js';
import { PartCollector } from './part-collector.js';
import { analyseInner, checkBinaryPgp, checkPayload, needsStructureCheck, type PayloadCheck } from './payload-structure.js';

export interface PartDescription {
  readonly id: string;
  readonly location: readonly string[];
  readonly depth: number;
  readonly declaredType: string;
  readonly disposition: 'attachment' | 'inline' | null;
  readonly contentId: string | null;
  readonly name: DeclaredName;
  /** Content type of the parent multipart ('' for a root leaf). */
  readonly parentType: string;
  /** 1-based position under the parent (0 for a root leaf). */
  readonly index: number;
  /** Open opaque signed-data (only where it carries the message itself). */
  readonly unwrapSigned: boolean;
  /** Set for a body candidate (text/plain or text/html without a name): it only becomes an attachment when its bytes say so. */
  readonly body?: { readonly kind: 'plain' | 'html'; readonly charset: string | false };
}

export interface DeclaredName {
  readonly name: string | null;
  readonly rawName: string | null;
  readonly tricks: readonly NameTrick[];
}

export interface PartOutcome {
  readonly attachment: Attachment;
  readonly members: readonly Attachment[];
  readonly role: PartRole;
  /** Set when content analysis opened the part as a message (Outlook .msg, TNEF). */
  readonly attachedMessage: ContentReport['attachedMessage'] | null;
}

/** A part that was only an opaque signature wrapper: its signed MIME entity, to be walked instead. */
export interface SignedWrapper {
  readonly signedEntity: Buffer;
}

/** Longest declared name kept whole; longer ones keep their start and their (telling) end. */
const MAX_NAME_CHARS = 1024;

export function declaredName(raw: string | false | undefined): DeclaredName & { shortened: boolean } {
  if (!raw) return { name: null, rawName: null, tricks: [], shortened: false };
  const shortened = raw.length > MAX_NAME_CHARS;
  const declared = shortened ? `${raw.slice(0, MAX_NAME_CHARS / 2)}…${raw.slice(-MAX_NAME_CHARS / 2)}` : raw;
  const clean = cleanFileName(declared);
  return { name: clean.name || null, rawName: clean.name !== declared ? declared : null, tricks: clean.tricks, shortened };
}

export const UNKNOWN_TYPE: DetectedType = Object.freeze({
  mime: 'application/octet-stream',
  ext: '',
  family: 'unknown',
  macros: false,
  encrypted: false,
  basis: 'none',
});

const ROLE_TYPES: Partial<Record<NonNullable<PartRole>, DetectedType>> = {
  'smime-enveloped': { mime: 'application/pkcs7-mime', ext: 'p7m', family: 'encrypted', macros: false, encrypted: true, basis: 'magic' },
  'smime-signed': { mime: 'application/pkcs7-mime', ext: 'p7m', family: 'unknown', macros: false, encrypted: false, basis: 'magic' },
  'smime-other': { mime: 'application/pkcs7-mime', ext: 'p7m', family: 'unknown', macros: false, encrypted: false, basis: 'magic' },
  'pgp-payload': { mime: 'application/pgp-encrypted', ext: 'pgp', family: 'encrypted', macros: false, encrypted: true, basis: 'magic' },
  'pgp-control': { mime: 'application/pgp-encrypted', ext: '', family: 'text', macros: false, encrypted: false, basis: 'text' },
};

/** PGP armour that holds no encryption: what it holds is analysed instead (payload-structure.ts). */
const PGP_ARMOUR: DetectedType = { mime: 'application/pgp-encrypted', ext: 'asc', family: 'text', macros: false, encrypted: false, basis: 'container' };

function claimsBinaryPgp(part: PartDescription, head: Buffer, family: string): boolean {
  const declared = /\.(?:gpg|pgp)$/i.test(part.name.name ?? '') || part.declaredType === 'application/pgp-encrypted' || part.parentType === 'multipart/encrypted';
  return declared && family === 'unknown' && head.length > 0 && ((head[0] as number) & 0x80) !== 0;
}

export class AttachmentPart {
  private readonly collector: PartCollector;

  constructor(
    private readonly ctx: ParseContext,
    private readonly part: PartDescription,
  ) {
    this.collector = new PartCollector(ctx.temp, ctx.options.inspection.memoryPartBytes, `part-${part.id}`);
  }

  write(bytes: Buffer): Promise<void> | void {
    return this.collector.write(bytes);
  }

  abandon(): Promise<void> {
    return this.collector.abandon();
  }

  /** The attachment; null for a part that is only a detached signature; the entity of an opaque signature. */
  async finish(transferProblem: string | null): Promise<PartOutcome | SignedWrapper | null> {
    const part = this.part;
    const collected = await this.collector.finish();
    const head = collected.kind === 'blob' ? collected.blob.head : collected.head;
    const size = collected.kind === 'blob' ? collected.blob.size : collected.size;
    const sha256 = collected.kind === 'blob' ? collected.blob.sha256 : collected.sha256;
    const facts: LeafFacts = { declaredType: part.declaredType, name: part.name.name, parentType: part.parentType, index: part.index, head, size };
    let role = partRole(facts);
    // What the first bytes claim is proven on the whole payload (payload-structure.ts).
    let structure: PayloadCheck | null = null;
    if (needsStructureCheck(role) && collected.kind === 'blob') {
      try {
        structure = await checkPayload(collected.blob, role, part.declaredType, this.ctx);
      } catch (err) {
        await collected.release();
        throw err; // only the inspection's time limit (abort) or a failing temp file gets here
      }
      role = structure.role;
    }
    if (role === 'signature') {
      if (collected.kind === 'blob') await collected.release();
      return null;
    }
    if (role === 'smime-signed' && part.unwrapSigned && !transferProblem && collected.kind === 'blob' && collected.blob.buffer) {
      const signedEntity = signedContent(collected.blob.buffer);
      if (signedEntity) return { signedEntity };
    }

    let report: ContentReport | null = null;
    let failure: string | null = null;
    const known = role ? ROLE_TYPES[role] : structure?.armour ? PGP_ARMOUR : undefined;
    let inner: Attachment[] = [];
    if (collected.kind === 'blob') {
      try {
        if (structure?.inner.length) inner = await analyseInner(structure.inner, part, this.ctx);
        if (!known) {
          report = await analyseContent(
            { blob: collected.blob, name: part.name.name, declaredType: part.declaredType, id: part.id, location: part.location, depth: part.depth },
            this.contentContext(),
          );
          // Binary (unarmoured) OpenPGP, declared by name or type (no magic number says it): proven like armour.
          if (!role && claimsBinaryPgp(part, head, report.detected.family)) {
            structure = await checkBinaryPgp(collected.blob, this.ctx);
            inner = await analyseInner(structure.inner, part, this.ctx);
          }
        }
      } catch (err) {
        failure = `content analysis failed: ${(err as Error)?.message ?? String(err)}`;
      } finally {
        // The temp file must outlive analyseContent, and no longer.
        await collected.release();
      }
    }

    const reasons = [transferProblem, roleUnscannable(role), structure ? structure.problem : disguisedPayload(facts, role), notReassembled(part.declaredType), collected.kind === 'not-kept' ? collected.reason : null, failure, report?.unscannable ?? null];
    const unscannable = reasons.filter((r): r is string => !!r).join('; ') || null;
    const tricks = new Set<NameTrick>([...part.name.tricks, ...(report?.nameTricks ?? [])]);
    const attachment = partAttachment(part, {
      nameTricks: [...tricks],
      size,
      sha256,
      detected: known ?? report?.detected ?? UNKNOWN_TYPE,
      unscannable,
      markings: report?.markings ?? [],
    });
    return { attachment, members: [...inner, ...(report?.members ?? [])], role, attachedMessage: report?.attachedMessage ?? null };
  }

  /**
   * A body candidate: null while its bytes are the text they claim to be (`showText` then keeps its text as body
   * text); an attachment when they are a file (a program shown as text), or when the text carries one (active
   * content or a data: file in HTML, a uuencoded or yEnc file in text).
   */
  async finishBody(transferProblem: string | null, showText: () => void): Promise<PartOutcome | null> {
    const body = this.part.body;
    const collected = await this.collector.finish();
    const { head, size } = facts(collected);
    const isFile = body ? bodyIsFile(head, size, body.charset) : true;
    if (!isFile) {
      showText();
      if (!(await bodyCarriesSomething(collected, body?.kind ?? 'plain'))) {
        if (collected.kind === 'blob') await collected.release();
        return null;
      }
    }
    const outcome = await this.analyseBody(collected, transferProblem);
    if (isFile) return outcome;
    const a = outcome.attachment;
    const carries = a.detected.family !== 'text' || outcome.members.length > 0 || a.unscannable !== null;
    return carries ? outcome : null;
  }

  /** Content analysis of a body candidate (no encryption role: a body part is text, or a file it hides). */
  private async analyseBody(collected: CollectedPart, transferProblem: string | null): Promise<PartOutcome> {
    const part = this.part;
    const { size, sha256 } = facts(collected);
    let report: ContentReport | null = null;
    let failure: string | null = null;
    if (collected.kind === 'blob') {
      try {
        report = await analyseContent(
          { blob: collected.blob, name: part.name.name, declaredType: part.declaredType, id: part.id, location: part.location, depth: part.depth },
          this.contentContext(),
        );
      } catch (err) {
        failure = `content analysis failed: ${(err as Error)?.message ?? String(err)}`;
      } finally {
        await collected.release();
      }
    }
    const reasons = [transferProblem, collected.kind === 'not-kept' ? collected.reason : null, failure, report?.unscannable ?? null];
    const attachment = partAttachment(part, {
      nameTricks: [...new Set<NameTrick>([...part.name.tricks, ...(report?.nameTricks ?? [])])],
      size,
      sha256,
      detected: report?.detected ?? UNKNOWN_TYPE,
      unscannable: reasons.filter((r): r is string => !!r).join('; ') || null,
      markings: report?.markings ?? [],
    });
    return { attachment, members: report?.members ?? [], role: null, attachedMessage: report?.attachedMessage ?? null };
  }

  /** What content analysis needs: options, temp area, and the walk of messages found inside items. */
  private contentContext(): ContentContext {
    const openMessage = this.ctx.openMessage;
    return { options: this.ctx.options, temp: this.ctx.temp, ...(openMessage ? { openMessage } : {}) };
  }
}

/** What any collected part tells; `sha256` is a getter, so that a kept part is hashed only when asked. */
function facts(collected: CollectedPart): { readonly head: Buffer; readonly size: number; readonly sha256: string } {
  return collected.kind === 'blob' ? collected.blob : collected;
}

/** Parts that hold only a piece of a message, or point to content elsewhere: nothing here to inspect. */
function notReassembled(declaredType: string): string | null {
  if (declaredType === 'message/partial') {
    return 'message/partial: one fragment of a message sent in pieces; the pieces cannot be put back together here, so the message is not inspected';
  }
  if (declaredType === 'message/external-body') return 'message/external-body: the content is held outside the message and is not inspected';
  return null;
}

/** Cheap first look at a body that is text: may it carry active content or a file? (Then it is analysed.) */
async function bodyCarriesSomething(collected: CollectedPart, kind: 'plain' | 'html'): Promise<boolean> {
  if (collected.kind !== 'blob') return true; // not kept: analysis says it is unscannable
  const { buffer } = collected.blob;
  if (!buffer) return true; // spilled to a temp file: large, let the analysis read it
  if (kind === 'plain') return mayHoldEncodedFile(buffer);
  const scan = scanMarkup(buffer.toString('latin1'));
  return scan.active !== null || scan.dataFiles.length > 0 || scan.reasons.length > 0;
}

/** The Attachment of a MIME part: what its headers say, and what was found in its bytes. */
export function partAttachment(
  part: PartDescription,
  found: Pick<Attachment, 'nameTricks' | 'size' | 'sha256' | 'detected' | 'unscannable' | 'markings'>,
): Attachment {
  return {
    id: part.id,
    location: part.location,
    origin: 'part',
    depth: part.depth,
    name: part.name.name,
    rawName: part.name.rawName,
    nameTricks: found.nameTricks,
    declaredType: part.declaredType,
    disposition: part.disposition,
    contentId: part.contentId,
    size: found.size,
    sha256: found.sha256,
    detected: found.detected,
    unscannable: found.unscannable,
    markings: found.markings,
  };
}
