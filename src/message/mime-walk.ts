/**
 * Walks one message (the outer one or an attached message/rfc822) through a mailsplit
 * Splitter: builds the MIME tree, routes each leaf's decoded bytes to the body text, to an
 * attachment, or to a nested walker, and records structural anomalies. Each leaf is handled
 * as its chunks arrive; nothing is buffered whole beyond inspection.memoryPartBytes.
 *
 * mailsplit is run with ignoreEmbedded: it only parses inline 7bit attached messages itself,
 * and we want every message/rfc822 part (base64 too) opened the same way, by a child walker.
 */
import { createReadStream } from 'node:fs';
import libmime from 'libmime';
import { Splitter, type MessageChunk, type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';
import { parseAddressList } from './addresses.js';
import { flattenWalk, messageLabel } from './attached-messages.js';
import { AttachmentPart, declaredName, type PartDescription } from './attachment-part.js';
import { BodyText } from './body-text.js';
import { messageEncryption, type TreeNode } from './encryption.js';
import { bodyArmour } from './inline-pgp.js';
import { HeaderFieldList, MAX_FIELD_CHARS, readHeaders, type ReadHeaders } from './header-list.js';
import { AttachmentLeaf, BodyLeaf, MESSAGE_TYPES, MessageLeaf, type LeafSink } from './leaf-sinks.js';
import { markingsInBody, markingsInHeaders, markingsInSubject } from './markings.js';
import type { ContentInput, OpenedMessage } from './content/analysis-work.js';
import type { Address, EncryptionKind, MarkingHit } from './model.js';
import type { Haltable, ParseContext } from './parse-context.js';
import { identityDecoder, transferDecoder, type TransferDecoder } from './transfer-decoding.js';
import type { AttachmentEntry, WalkedMessage, WalkScope } from './walked-message.js';

interface NodeState extends TreeNode {
  readonly path: string;
  readonly depth: number;
  readonly children: NodeState[];
  /** The closing delimiter ('--boundary--') of a multipart still open. */
  readonly closing: Buffer | null;
  closed: boolean;
  entry: AttachmentEntry | null;
}

interface Leaf {
  readonly state: NodeState;
  readonly id: string;
  readonly decoder: TransferDecoder;
  readonly problem: string | null;
  readonly sink: LeafSink;
}

const EMPTY_HEADERS = new HeaderFieldList([]);
/** Fields that decide how a part is read: two different ones in a part are read differently by different clients. */
const CONFLICTING_FIELDS = [
  ['content-type', 'Content-Type'],
  ['content-transfer-encoding', 'Content-Transfer-Encoding'],
  ['content-disposition', 'Content-Disposition'],
] as const;

export class MessageWalker implements Haltable {
  readonly done: Promise<WalkedMessage>;
  private readonly splitter: Splitter;
  /** Weak: a node's headers must not outlive mailsplit's own use of the node. */
  private readonly states = new WeakMap<MimeNode, NodeState>();
  private readonly open: NodeState[] = [];
  private readonly entries: AttachmentEntry[] = [];
  private readonly body: BodyText;
  private root: NodeState | null = null;
  private rootHeaders: ReadHeaders | null = null;
  private leaf: Leaf | null = null;
  private halted = false;
  /** What opaque signed-data at the root carried. */
  private readonly signedMarkings: MarkingHit[] = [];
  private signedEncryption: EncryptionKind | null = null;
  private inlinePgp = false;

  constructor(
    private readonly ctx: ParseContext,
    private readonly scope: WalkScope,
  ) {
    const limits = ctx.options.inspection;
    this.body = new BodyText(limits.maxBodyTextChars);
    this.splitter = new Splitter({
      ignoreEmbedded: true,
      maxHeadSize: limits.maxHeaderBytes || undefined,
      // our own global count (outer + attached) speaks first; this is the backstop
      maxChildNodes: limits.maxParts + 1,
    });
    (this.splitter as NodeJS.EventEmitter).on('error', () => undefined); // surfaced through the iterator in consume()
    ctx.register(this);
    ctx.openMessage ??= (input) => openFoundMessage(ctx, input);
    this.done = this.consume();
  }

  /** Feeds raw bytes; the promise (when any) resolves once the splitter can take more. */
  write(chunk: Buffer): Promise<void> | void {
    if (this.halted || this.splitter.destroyed) return;
    if (!this.splitter.write(chunk)) return drained(this.splitter);
  }

  end(): Promise<WalkedMessage> {
    if (!this.halted && !this.splitter.destroyed) this.splitter.end();
    return this.done;
  }

  halt(): void {
    this.halted = true;
    this.splitter.destroy();
  }

  private async consume(): Promise<WalkedMessage> {
    try {
      for await (const item of this.splitter as AsyncIterable<SplitterChunk>) {
        if (this.ctx.stopped) break;
        if (item.type === 'node') await this.onNode(item);
        else if (item.type === 'body') await this.onBody(item);
        else this.onData(item);
      }
      if (!this.ctx.stopped) await this.finishLeaf();
      if (!this.ctx.stopped) await this.openBodyArmour();
    } catch (err) {
      // a walk halted on its own (an attached "message" that turned out to be a file) ends without a finding
      if (!this.ctx.stopped && !this.halted) {
        const e = err as Error & { code?: string };
        const limits = this.ctx.options.inspection;
        if (e?.code !== 'EMAXLEN') this.ctx.stop('malformed', `parser failed: ${e?.message ?? String(err)}`);
        else if (/header/i.test(e.message)) this.ctx.stop('parse-limit', `header block of a part larger than ${limits.maxHeaderBytes} bytes`);
        else this.ctx.stop('parse-limit', `more than ${limits.maxParts} MIME parts`);
      }
    }
    if (this.leaf) {
      const leaf = this.leaf;
      this.leaf = null;
      await leaf.sink.abandon();
    }
    this.ctx.unregister(this);
    if (!this.splitter.destroyed) this.splitter.destroy();
    return this.result();
  }

  private async onNode(node: MimeNode): Promise<void> {
    await this.finishLeaf();
    const limits = this.ctx.options.inspection;
    if (++this.ctx.parts > limits.maxParts) {
      this.ctx.stop('parse-limit', `more than ${limits.maxParts} MIME parts`);
      return;
    }
    const parent = node.parentNode ? (this.states.get(node.parentNode) ?? this.root) : null;
    const depth = parent ? parent.depth + 1 : this.scope.mimeDepth;
    if (depth > limits.maxMimeDepth) {
      this.ctx.stop('parse-limit', `MIME nesting deeper than ${limits.maxMimeDepth} levels`);
      return;
    }
    const index = parent ? parent.children.length + 1 : 0;
    const path = parent ? (parent.path ? `${parent.path}.${index}` : `${index}`) : '';
    const type = node.contentType || 'text/plain';
    const boundary = node.multipart ? node._boundary : false;
    const state: NodeState = {
      type,
      protocol: node.multipart ? protocolOf(node) : '',
      children: [],
      role: null,
      path,
      depth,
      closing: boundary ? Buffer.concat([Buffer.from('--'), boundary, Buffer.from('--')]) : null,
      closed: false,
      entry: null,
    };
    parent?.children.push(state);
    if (node.multipart) this.states.set(node, state);
    this.checkConflicts(node, state);
    if (!parent) {
      this.root = state;
      this.readRootHeaders(node);
    }
    if (node.multipart) {
      if (state.closing) this.open.push(state);
      else this.ctx.anomaly('malformed', `${this.label(state)}: ${type} without a boundary`);
      return;
    }
    this.leaf = this.openLeaf(node, state, parent);
  }

  private async onBody(chunk: MessageChunk): Promise<void> {
    const leaf = this.leaf;
    if (!leaf || leaf.sink.full) return;
    const bytes = leaf.decoder.write(chunk.value);
    if (bytes.length) await leaf.sink.write(bytes);
  }

  /** Multipart structure lines: only used to see whether each multipart was closed. */
  private onData(chunk: MessageChunk): void {
    for (let k = this.open.length - 1; k >= 0; k--) {
      const state = this.open[k] as NodeState;
      if (chunk.value.indexOf(state.closing as Buffer) >= 0) {
        state.closed = true;
        this.open.splice(k, 1);
      }
    }
  }

  private async finishLeaf(): Promise<void> {
    const leaf = this.leaf;
    if (!leaf) return;
    this.leaf = null;
    if (!leaf.sink.full) {
      const tail = leaf.decoder.end();
      if (tail.length) await leaf.sink.write(tail);
    }
    const problem = leaf.problem ?? leaf.decoder.problem;
    if (problem) this.ctx.anomaly('decode-error', `part ${leaf.id}: ${problem}`);
    const entry = await leaf.sink.finish(problem);
    if (entry) {
      leaf.state.entry = entry;
      this.entries.push(entry);
    }
  }

  private openLeaf(node: MimeNode, state: NodeState, parent: NodeState | null): Leaf {
    const id = this.scope.idPrefix + (state.path || '1');
    let decoder = transferDecoder(node.encoding);
    let problem: string | null = null;
    if (!decoder) {
      decoder = identityDecoder();
      problem = `unknown transfer encoding '${String(node.encoding).slice(0, 40)}'`;
    }
    const disposition = node.disposition ? (node.disposition === 'inline' ? 'inline' : 'attachment') : null;
    const name = declaredName(node.filename);
    if (name.shortened) this.ctx.anomaly('parse-limit', `part ${id}: file name longer than 1024 characters was shortened`);
    const isText = state.type === 'text/plain' || state.type === 'text/html';
    const isBody = isText && disposition !== 'attachment' && !name.name && !name.rawName;
    const part: PartDescription = {
      id,
      // a body candidate only shows up as an item when its bytes make it one: say what it claimed to be
      location: [...this.scope.location, name.name ?? (isBody ? `part ${id} (declared ${state.type})` : `part ${id}`)],
      depth: this.scope.attachmentDepth,
      declaredType: state.type,
      disposition,
      contentId: contentIdOf(node),
      name,
      parentType: parent?.type ?? '',
      index: parent ? parent.children.length : 0,
      unwrapSigned: !parent,
      ...(isBody ? { body: { kind: state.type === 'text/plain' ? ('plain' as const) : ('html' as const), charset: node.charset } } : {}),
    };
    if (part.body) {
      // Read as body text, and kept until its end: its bytes may say it is a file, or carry one.
      const text = this.body.openPart(part.body.kind, node.charset, { flowed: node.flowed, delSp: node.delSp });
      if (text?.unknownCharset) this.ctx.anomaly('decode-error', `part ${id}: unknown charset '${text.unknownCharset}' read as latin1`);
      return { state, id, decoder, problem, sink: new BodyLeaf(text, new AttachmentPart(this.ctx, part)) };
    }
    if (MESSAGE_TYPES.has(state.type)) {
      const child = new MessageWalker(this.ctx, {
        idPrefix: `${id}.`,
        mimeDepth: state.depth + 1,
        attachmentDepth: this.scope.attachmentDepth + 1,
        location: part.location,
      });
      return { state, id, decoder, problem, sink: new MessageLeaf(part, child, () => new AttachmentPart(this.ctx, part)) };
    }
    const leafPart = new AttachmentPart(this.ctx, part);
    return { state, id, decoder, problem, sink: new AttachmentLeaf(leafPart, (role) => (state.role = role), (entity) => this.walkSigned(entity, state, id)) };
  }

  /**
   * The MIME entity inside opaque signed-data is the message's real content: walk it and take
   * its parts, body text and markings as this message's own (the body is scanned once, here).
   */
  private async walkSigned(entity: Buffer, state: NodeState, id: string): Promise<void> {
    const child = new MessageWalker(this.ctx, {
      idPrefix: `${id}.`,
      mimeDepth: state.depth + 1,
      attachmentDepth: this.scope.attachmentDepth,
      location: this.scope.location,
    });
    for (let at = 0; at < entity.length && !this.ctx.stopped; at += 64 * 1024) {
      const wait = child.write(entity.subarray(at, at + 64 * 1024));
      if (wait) await wait;
    }
    const walked = await child.end();
    this.entries.push(...walked.entries);
    if (walked.bodyText) this.body.add('plain', walked.bodyText);
    this.signedMarkings.push(...walked.markings.filter((hit) => hit.source !== 'body'));
    this.signedEncryption = walked.encryption;
  }

  /** Inline PGP: encrypted, or readable data that is inspected as a file (inline-pgp.ts). */
  private async openBodyArmour(): Promise<void> {
    const found = await bodyArmour(this.body.text(), this.scope, this.ctx);
    this.inlinePgp = found.encrypted;
    this.entries.push(...found.entries);
  }

  /**
   * Two different Content-Type or Content-Transfer-Encoding fields in one part, two boundary parameters, or a
   * multipart that reuses an enclosing boundary: mail clients disagree on which one counts, so what we read
   * may not be what the recipient sees.
   */
  private checkConflicts(node: MimeNode, state: NodeState): void {
    const lines = node.headers ? node.headers.getList() : [];
    for (const [field, shown] of CONFLICTING_FIELDS) {
      const values = new Set(lines.filter((l) => l.key === field).map((l) => l.line.slice(l.line.indexOf(':') + 1).replace(/\s+/g, ' ').trim().toLowerCase()));
      if (values.size > 1) this.ctx.anomaly('malformed', `${this.label(state)}: ${values.size} different ${shown} fields (mail clients disagree on which one counts)`);
    }
    if (!state.closing) return;
    const type = lines.find((l) => l.key === 'content-type')?.line ?? '';
    if ((type.match(/[;\s]boundary\s*\*?\s*=/gi) ?? []).length > 1) this.ctx.anomaly('malformed', `${this.label(state)}: two boundary parameters (mail clients disagree on which one counts)`);
    for (let up: MimeNode | false = node.parentNode; up; up = up.parentNode) {
      const enclosing = this.states.get(up);
      if (enclosing?.closing && enclosing.closing.equals(state.closing)) {
        this.ctx.anomaly('malformed', `${this.label(state)}: multipart boundary is the same as an enclosing part's (the parts cannot be told apart)`);
        break;
      }
    }
  }

  private readRootHeaders(node: MimeNode): void {
    const read = readHeaders(node.headers ? node.headers.getList() : []);
    this.rootHeaders = read;
    const where = this.scope.idPrefix ? `attached message ${this.scope.idPrefix.slice(0, -1)}` : 'message';
    for (const name of read.truncated) {
      this.ctx.anomaly('parse-limit', `${where}: header field '${name.slice(0, 60)}' longer than ${MAX_FIELD_CHARS} characters was truncated`);
    }
    if (read.notFields) this.ctx.anomaly('malformed', `${where}: ${read.notFields} line(s) in the header block are not header fields`);
  }

  private label(state: NodeState): string {
    return state.path ? `part ${this.scope.idPrefix}${state.path}` : this.scope.idPrefix ? `attached message ${this.scope.idPrefix.slice(0, -1)}` : 'message';
  }

  private result(): WalkedMessage {
    if (!this.ctx.stopped) {
      for (const state of this.open) {
        const what = state.children.length ? 'has no closing boundary (truncated?)' : 'never reaches its first boundary';
        this.ctx.anomaly('malformed', `${this.label(state)}: ${state.type} ${what}`);
      }
    }
    const read = this.rootHeaders;
    const headers = read?.list ?? EMPTY_HEADERS;
    const addresses = (field: string): Address[] => (read?.raw.get(field) ?? []).flatMap((value) => parseAddressList(value));
    const subject = headers.get('subject') ?? '';
    const bodyText = this.body.text();
    const { kind, envelope } = messageEncryption(this.root);
    const hidden = new Set(envelope.map((node) => (node as NodeState).entry));
    const encryption = kind ?? this.signedEncryption ?? (this.inlinePgp ? 'pgp-inline' : null);
    return {
      headers,
      subject,
      messageId: headers.get('message-id') || null,
      from: addresses('from'),
      to: addresses('to'),
      cc: addresses('cc'),
      bcc: addresses('bcc'),
      bodyText,
      encryption,
      markings: [...this.markings(subject, headers, bodyText), ...this.signedMarkings],
      entries: hidden.size ? this.entries.filter((e) => !hidden.has(e)) : this.entries,
    };
  }

  private markings(subject: string, headers: HeaderFieldList, bodyText: string): MarkingHit[] {
    const scheme = this.ctx.options.markings;
    const hits: MarkingHit[] = [];
    const scan = (what: string, run: () => MarkingHit[]): void => {
      try {
        hits.push(...run());
      } catch (err) {
        this.ctx.anomaly('malformed', `marking scan of the ${what} failed: ${(err as Error)?.message ?? String(err)}`);
      }
    };
    if (subject) scan('subject', () => markingsInSubject(subject, scheme));
    if (headers.fields.length) scan('headers', () => markingsInHeaders(headers.fields, scheme));
    if (bodyText) scan('body', () => markingsInBody(bodyText, scheme));
    return hits;
  }
}

/** Walks a message found in an attachment or archive member by its bytes or its .eml name, flattened. */
async function openFoundMessage(ctx: ParseContext, input: ContentInput): Promise<OpenedMessage> {
  const child = new MessageWalker(ctx, {
    idPrefix: `${input.id}/`,
    mimeDepth: input.depth + 1,
    attachmentDepth: input.depth + 1,
    location: input.location,
  });
  const feed = async (chunk: Buffer): Promise<void> => {
    const wait = child.write(chunk);
    if (wait) await wait;
  };
  const { blob } = input;
  if (blob.buffer) {
    for (let at = 0; at < blob.buffer.length && !ctx.stopped; at += 64 * 1024) await feed(blob.buffer.subarray(at, at + 64 * 1024));
  } else if (blob.path) {
    for await (const chunk of createReadStream(blob.path, { highWaterMark: 64 * 1024 })) {
      if (ctx.stopped) break;
      await feed(chunk as Buffer);
    }
  }
  const walked = await child.end();
  // a message inside an archive is named with the archive: 'mail.zip > plan.eml'
  const flat = flattenWalk(walked, messageLabel(input.name ? input.location.join(' > ') : null, walked.subject, input.id));
  return { subject: walked.subject, from: walked.from, ...flat };
}

function drained(stream: NodeJS.EventEmitter & { destroyed: boolean }): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function protocolOf(node: MimeNode): string {
  const raw = node.headers ? node.headers.getFirst('content-type') : '';
  if (!/protocol/i.test(raw)) return '';
  try {
    return String(libmime.parseHeaderValue(raw.slice(0, 4096)).params.protocol ?? '').toLowerCase().trim();
  } catch {
    return '';
  }
}

function contentIdOf(node: MimeNode): string | null {
  const raw = node.headers ? node.headers.getFirst('content-id') : '';
  const id = raw.trim().replace(/^<|>$/g, '').trim();
  return id ? id.slice(0, 998) : null;
}
