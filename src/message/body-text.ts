/**
 * The main body text of one message: charset-decoded text/plain parts, or the visible text of
 * text/html parts when there is no plain text. Bounded to maxBodyTextChars: once full, further
 * body bytes are not decoded at all.
 */
import { charsetDecoder, type CharsetDecoder } from './charset.js';
import { HtmlTextExtractor } from './html-text.js';
import { toLf } from './line-breaks.js';

export class BodyText {
  private readonly plain: string[] = [];
  private plainChars = 0;
  private readonly html: string[] = [];
  private htmlChars = 0;
  private plainSeen = false;
  truncated = false;

  constructor(private readonly maxChars: number) {}

  /** True when a non-blank text/plain body was seen: HTML bodies then need no decoding. */
  get hasPlain(): boolean {
    return this.plainSeen;
  }

  /** A sink for one body part, or null when the part need not be read (HTML after plain, or full). */
  openPart(kind: 'plain' | 'html', charset: string | false, flowed: { flowed: boolean; delSp: boolean }): TextPartSink | null {
    if (kind === 'html' && this.plainSeen) return null;
    if ((kind === 'plain' ? this.plainChars : this.htmlChars) >= this.maxChars) {
      this.truncated = true;
      return null;
    }
    return new TextPartSink(this, kind, charset, flowed);
  }

  /** Called by a part sink at its end with the part's text. */
  add(kind: 'plain' | 'html', text: string): void {
    if (kind === 'plain') {
      if (/\S/.test(text)) this.plainSeen = true;
      this.plainChars = this.push(this.plain, this.plainChars, text);
    } else {
      this.htmlChars = this.push(this.html, this.htmlChars, text);
    }
  }

  /** Room left for one more part of this kind. */
  room(kind: 'plain' | 'html'): number {
    return Math.max(0, this.maxChars - (kind === 'plain' ? this.plainChars : this.htmlChars));
  }

  text(): string {
    return (this.plainSeen ? this.plain : this.html).join('\n');
  }

  private push(list: string[], used: number, text: string): number {
    if (!text) return used;
    const room = this.maxChars - used - (list.length ? 1 : 0);
    if (room <= 0) {
      this.truncated = true;
      return used;
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    if (kept.length < text.length) this.truncated = true;
    list.push(kept);
    return used + kept.length + (list.length > 1 ? 1 : 0);
  }
}

/** Decoded bytes of one text part in, text out; stops decoding once the body text is full. */
export class TextPartSink {
  private readonly decoder: CharsetDecoder;
  private readonly html: HtmlTextExtractor | null;
  private readonly pieces: string[] = [];
  private chars = 0;
  private readonly room: number;
  readonly unknownCharset: string | null;

  constructor(
    private readonly body: BodyText,
    private readonly kind: 'plain' | 'html',
    charset: string | false,
    private readonly flowed: { flowed: boolean; delSp: boolean },
  ) {
    const choice = charsetDecoder(charset);
    this.decoder = choice.decoder;
    this.unknownCharset = choice.unknown;
    this.html = kind === 'html' ? new HtmlTextExtractor() : null;
    this.room = body.room(kind);
  }

  /** True once this part has all the text it may keep: the caller can skip the rest of the part. */
  get full(): boolean {
    return this.chars >= this.room;
  }

  write(bytes: Buffer): void {
    if (this.full) return;
    this.take(this.decoder.write(bytes));
  }

  end(): void {
    if (!this.full) this.take(this.decoder.end());
    if (this.html && !this.full) this.keep(this.html.end());
    let text = this.pieces.join('');
    if (this.chars > this.room) text = text.slice(0, this.room);
    text = toLf(text);
    if (this.flowed.flowed) text = unflow(text, this.flowed.delSp);
    this.body.add(this.kind, text);
    if (this.chars > this.room) this.body.truncated = true;
  }

  private take(text: string): void {
    if (!text) return;
    this.keep(this.html ? this.html.write(text) : text);
  }

  private keep(text: string): void {
    if (!text) return;
    this.pieces.push(text);
    this.chars += text.length;
  }
}

/** RFC 3676 format=flowed: join soft-broken lines (those ending in a space), undo space-stuffing. */
function unflow(text: string, delSp: boolean): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let current = '';
  let open = false;
  for (let line of lines) {
    if (line.startsWith(' ')) line = line.slice(1);
    const soft = line.endsWith(' ') && line !== '-- ';
    const content = soft && delSp ? line.slice(0, -1) : line;
    current = open ? current + content : content;
    open = soft;
    if (!soft) {
      out.push(current);
      current = '';
    }
  }
  if (open) out.push(current);
  return out.join('\n');
}
