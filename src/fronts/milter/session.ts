/**
 * One milter connection: the protocol's state machine, between the codec below and the handler
 * above. Several messages may pass on one connection; ABORT ends the message in progress and
 * returns to the state after HELO; QUIT_NC starts over as if a new connection had come.
 *
 * A command out of order, a malformed frame or an unknown command byte ends the session with
 * tempfail (the MTA applies its milter_default_action to that message); it never throws out of
 * `receive`. Commands are handled strictly one after another: the server pauses the socket until
 * `receive` resolves, so a slow inspection slows Postfix instead of filling memory.
 *
 * Which steps get a reply depends on negotiation: the steps whose "no reply" flag the MTA
 * granted get none; the others get `continue`. Only the end of body carries a decision.
 */
import { decodeCommand, encodeOptNeg, encodeReplies, FrameReader, MilterProtocolError, type MilterCommand, type MilterReply, type SocketFamily } from './codec.js';
import { Command, DEFAULT_MAX_FRAME_BYTES, MILTER_VERSION, Protocol } from './protocol.js';

export interface MilterClient {
  readonly hostname: string;
  readonly family: SocketFamily;
  readonly port: number;
  readonly address: string;
}

/** What is known when the message content starts: the envelope, and the macros so far. */
export interface MilterEnvelope {
  readonly client: MilterClient | null;
  readonly helo: string | null;
  /** MAIL FROM as Postfix passes it, with angle brackets removed ('' for the null sender). */
  readonly mailFrom: string;
  readonly mailArgs: readonly string[];
  readonly rcptTo: readonly string[];
  /** A macro's latest value (`i`, `j`, `auth_authen`, `client_addr` ...; braces optional). */
  macro(name: string): string | undefined;
  /** Negotiated protocol flags (e.g. whether header values keep their leading space). */
  readonly protocol: number;
  /** Negotiated actions. */
  readonly actions: number;
}

/** The handler's view of one message's content. */
export interface MessageFilter {
  header(name: string, value: string): void | Promise<void>;
  endOfHeaders(): void | Promise<void>;
  body(chunk: Buffer): void | Promise<void>;
  /** The whole end-of-body answer: header changes first, then exactly one final reply. */
  end(): Promise<readonly MilterReply[]>;
  /** The message was aborted (ABORT, QUIT, the connection lost, or a protocol error). */
  abort(): void;
}

export interface MilterHandler {
  startMessage(envelope: MilterEnvelope): MessageFilter | Promise<MessageFilter>;
  /** A handler error or protocol problem, for the log; the session has already answered. */
  onError?(err: unknown, context: { readonly stage: string }): void;
}

export interface SessionOptions {
  /** Actions we ask for (masked by what the MTA offers). */
  readonly actions: number;
  /** Protocol flags we ask for (masked by what the MTA offers). */
  readonly protocol: number;
  /** Macros to ask for, per stage (needs the SetMacroList action). */
  readonly macroLists?: ReadonlyMap<number, readonly string[]>;
  readonly maxFrameBytes?: number;
}

type State = 'negotiate' | 'awaiting-connect' | 'connected' | 'mail' | 'recipients' | 'headers' | 'body';

const FINAL_REPLIES = new Set(['accept', 'reject', 'tempfail', 'discard', 'replycode']);
/** Macro stages in the order a lookup prefers them: the latest stage that defined a name wins. */
const MACRO_ORDER = [Command.EndOfBody, Command.Body, Command.EndOfHeaders, Command.Header, Command.Data, Command.Rcpt, Command.Mail, Command.Helo, Command.Connect];
const MESSAGE_STAGES: readonly string[] = [Command.Mail, Command.Rcpt, Command.Data, Command.Header, Command.EndOfHeaders, Command.Body, Command.EndOfBody];

export class MilterSession {
  private readonly reader: FrameReader;
  private state: State = 'negotiate';
  private actions = 0;
  private protocol = 0;
  /** Per stage; replaced (not emptied) when a message ends, so an envelope keeps its message's macros. */
  private macros = new Map<string, ReadonlyMap<string, string>>();
  private client: MilterClient | null = null;
  private helo: string | null = null;
  private mailFrom = '';
  private mailArgs: readonly string[] = [];
  private rcptTo: string[] = [];
  private filter: MessageFilter | null = null;
  /** Set when the handler failed mid-message: the end of body answers tempfail. */
  private failed = false;
  private ended = false;

  constructor(
    private readonly handler: MilterHandler,
    private readonly options: SessionOptions,
    private readonly send: (bytes: Buffer) => void,
    private readonly hangUp: () => void,
  ) {
    this.reader = new FrameReader(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * Feeds bytes from the MTA. Returns a promise only when a step had to wait (a handler step that
   * is asynchronous, the end of the message): the caller stops reading until it settles. Most
   * steps are answered synchronously, so a connection is not paused and resumed for each one.
   */
  receive(chunk: Buffer): Promise<void> | void {
    if (this.ended) return;
    let commands: MilterCommand[];
    try {
      commands = this.reader.push(chunk).map(decodeCommand);
    } catch (err) {
      return this.fail(err, 'frame');
    }
    return this.run(commands, 0);
  }

  /** Handles `commands` from `from` on, in order; a step that waits resumes the rest after it. */
  private run(commands: readonly MilterCommand[], from: number): Promise<void> | void {
    for (let i = from; i < commands.length; i++) {
      if (this.ended) return;
      const command = commands[i]!;
      let pending: Promise<void> | void;
      try {
        pending = this.handle(command);
      } catch (err) {
        return this.fail(err, command.type);
      }
      if (pending) {
        return pending.then(
          () => this.run(commands, i + 1),
          (err: unknown) => this.fail(err, command.type),
        );
      }
    }
  }

  /** The connection went away: whatever was in progress is aborted. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.abortMessage();
  }

  private handle(c: MilterCommand): Promise<void> | void {
    switch (c.type) {
      case 'optneg':
        return this.negotiate(c.version, c.actions, c.protocol);
      case 'macro':
        this.expectAny(['negotiate'], c.type);
        this.macros.set(c.stage, c.macros);
        return;
      case 'connect':
        this.expect(['awaiting-connect'], c.type);
        this.client = { hostname: c.hostname, family: c.family, port: c.port, address: c.address };
        this.state = 'connected';
        return this.step(Protocol.NoReplyConnect);
      case 'helo':
        this.expect(['awaiting-connect', 'connected'], c.type);
        this.helo = c.name;
        this.state = 'connected';
        return this.step(Protocol.NoReplyHelo);
      case 'mail':
        this.expect(['awaiting-connect', 'connected'], c.type);
        // Not the macros: D(M) came just before this M.
        this.resetMessage(false);
        this.mailFrom = stripBrackets(c.address);
        this.mailArgs = c.args;
        this.state = 'mail';
        return this.step(Protocol.NoReplyMail);
      case 'rcpt':
        this.expect(['mail', 'recipients'], c.type);
        this.rcptTo.push(stripBrackets(c.address));
        this.state = 'recipients';
        return this.step(Protocol.NoReplyRcpt);
      case 'data':
        this.expect(['recipients'], c.type);
        return after(this.startContent(), () => this.step(Protocol.NoReplyData));
      case 'header':
        return after(this.state === 'recipients' ? this.startContent() : undefined, () => {
          this.expect(['headers'], c.type);
          return after(this.guarded((f) => f.header(c.name, c.value)), () => this.step(Protocol.NoReplyHeader));
        });
      case 'eoh':
        return after(this.state === 'recipients' ? this.startContent() : undefined, () => {
          this.expect(['headers'], c.type);
          this.state = 'body';
          return after(this.guarded((f) => f.endOfHeaders()), () => this.step(Protocol.NoReplyEndOfHeaders));
        });
      case 'body':
        this.expect(['body'], c.type);
        return after(this.guarded((f) => f.body(c.chunk)), () => this.step(Protocol.NoReplyBody));
      case 'eob':
        this.expect(['body'], c.type);
        return after(c.chunk.length > 0 ? this.guarded((f) => f.body(c.chunk)) : undefined, () => this.endOfMessage());
      case 'abort':
        this.expectAny(['negotiate', 'awaiting-connect'], c.type);
        this.abortMessage();
        this.resetMessage(true);
        this.state = 'connected';
        return;
      case 'quit':
        this.close();
        this.hangUp();
        return;
      case 'quit-nc':
        this.abortMessage();
        this.resetMessage(true);
        this.macros = new Map();
        this.client = null;
        this.helo = null;
        this.state = 'awaiting-connect';
        return;
      case 'unknown':
        this.expectAny(['negotiate'], c.type);
        return this.step(Protocol.NoReplyUnknown);
    }
  }

  private negotiate(version: number, offeredActions: number, offeredProtocol: number): void {
    this.expect(['negotiate'], 'optneg');
    if (version < 2) throw new MilterProtocolError(`MTA speaks milter protocol version ${version}; version 2 or later is needed`);
    this.actions = this.options.actions & offeredActions;
    this.protocol = this.options.protocol & offeredProtocol;
    const macroLists = this.actions & 0x100 ? this.options.macroLists : undefined;
    this.state = 'awaiting-connect';
    this.send(encodeOptNeg(Math.min(version, MILTER_VERSION), this.actions, this.protocol, macroLists));
  }

  /** Every step but the end of body: `continue`, unless the MTA granted "no reply" for it. */
  private step(noReplyFlag: number): void {
    if ((this.protocol & noReplyFlag) === 0) this.send(encodeReplies([{ type: 'continue' }]));
  }

  private startContent(): Promise<void> | void {
    this.state = 'headers';
    this.failed = false;
    const envelope = this.envelope();
    const failed = (err: unknown) => {
      this.failed = true;
      this.handler.onError?.(err, { stage: 'start of message' });
    };
    let started: MessageFilter | Promise<MessageFilter>;
    try {
      started = this.handler.startMessage(envelope);
    } catch (err) {
      return failed(err);
    }
    if (!isPromise(started)) {
      this.filter = started;
      return;
    }
    return started.then((filter) => {
      this.filter = filter;
    }, failed);
  }

  /** Runs a filter step; a failure is remembered (the end of body answers tempfail), not thrown. */
  private guarded(run: (f: MessageFilter) => void | Promise<void>): Promise<void> | void {
    if (this.failed || !this.filter) return;
    const failed = (err: unknown) => {
      this.failed = true;
      this.handler.onError?.(err, { stage: 'message content' });
      this.abortMessage();
    };
    let ran: void | Promise<void>;
    try {
      ran = run(this.filter);
    } catch (err) {
      return failed(err);
    }
    if (isPromise(ran)) return ran.then(undefined, failed);
  }

  private async endOfMessage(): Promise<void> {
    const filter = this.filter;
    this.filter = null;
    this.state = 'connected';
    let replies: readonly MilterReply[] = [{ type: 'tempfail' }];
    if (!this.failed && filter) {
      try {
        replies = await filter.end();
        const last = replies[replies.length - 1];
        if (!last || !FINAL_REPLIES.has(last.type)) throw new Error('the handler gave no final reply at the end of the message');
      } catch (err) {
        this.handler.onError?.(err, { stage: 'end of message' });
        replies = [{ type: 'tempfail' }];
      }
    }
    this.resetMessage(true);
    if (!this.ended) this.send(encodeReplies(replies));
  }

  private envelope(): MilterEnvelope {
    const macros = this.macros;
    return {
      client: this.client,
      helo: this.helo,
      mailFrom: this.mailFrom,
      mailArgs: this.mailArgs,
      rcptTo: [...this.rcptTo],
      protocol: this.protocol,
      actions: this.actions,
      macro(name: string): string | undefined {
        const key = name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
        for (const stage of MACRO_ORDER) {
          const value = macros.get(stage)?.get(key);
          if (value !== undefined) return value;
        }
        return undefined;
      },
    };
  }

  private abortMessage(): void {
    const filter = this.filter;
    this.filter = null;
    if (!filter) return;
    try {
      filter.abort();
    } catch (err) {
      this.handler.onError?.(err, { stage: 'abort' });
    }
  }

  private resetMessage(clearMacros: boolean): void {
    this.mailFrom = '';
    this.mailArgs = [];
    this.rcptTo = [];
    this.failed = false;
    if (clearMacros) this.macros = new Map([...this.macros].filter(([stage]) => !MESSAGE_STAGES.includes(stage)));
  }

  private expect(states: readonly State[], what: string): void {
    if (!states.includes(this.state)) throw new MilterProtocolError(`${what} is out of order (session is at ${this.state})`);
  }

  /** Allowed in every state but these. */
  private expectAny(notIn: readonly State[], what: string): void {
    if (notIn.includes(this.state)) throw new MilterProtocolError(`${what} is out of order (session is at ${this.state})`);
  }

  private fail(err: unknown, stage: string): void {
    if (this.ended) return;
    this.handler.onError?.(err, { stage });
    this.send(encodeReplies([{ type: 'tempfail' }]));
    this.close();
    this.hangUp();
  }
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as Promise<T> | null)?.then === 'function';
}

/** `next` after `first`: at once when `first` was synchronous (no promise), else when it settles. */
function after(first: Promise<void> | void, next: () => Promise<void> | void): Promise<void> | void {
  return isPromise(first) ? first.then(next) : next();
}

function stripBrackets(address: string): string {
  const a = address.trim();
  return a.startsWith('<') && a.endsWith('>') ? a.slice(1, -1) : a;
}
