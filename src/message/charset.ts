/**
 * Streaming charset decoding for text parts. An unknown charset falls back to latin1 (every
 * byte maps to one character, so nothing is lost for the ASCII marking words) and is reported.
 */
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import libmime from 'libmime';

export interface CharsetDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

export interface CharsetChoice {
  readonly decoder: CharsetDecoder;
  /** The declared charset when we could not honour it, else null. */
  readonly unknown: string | null;
}

/** Codecs iconv-lite knows that are not charsets a message may be written in (UTF-7 smuggles markup). */
const REFUSED = /utf-?7|^base64$|^hex$/i;
const UTF8ISH = /^(?:utf-?8|(?:us-)?ascii|7bit|)$/i;

class NodeDecoder implements CharsetDecoder {
  private readonly inner: StringDecoder;
  constructor(encoding: 'utf8' | 'latin1') {
    this.inner = new StringDecoder(encoding);
  }
  write(chunk: Buffer): string {
    return this.inner.write(chunk);
  }
  end(): string {
    return this.inner.end();
  }
}

class IconvDecoder implements CharsetDecoder {
  constructor(private readonly inner: iconv.DecoderStream) {}
  write(chunk: Buffer): string {
    return this.inner.write(chunk);
  }
  end(): string {
    return this.inner.end() ?? '';
  }
}

export function charsetDecoder(declared: string | false): CharsetChoice {
  const raw = (declared || '').trim();
  // A missing charset or US-ASCII is read as UTF-8: 8-bit text without a label is UTF-8 far more often than not.
  if (UTF8ISH.test(raw)) return { decoder: new NodeDecoder('utf8'), unknown: null };
  let name: string;
  try {
    name = libmime.normalizeCharset(raw);
  } catch {
    name = raw;
  }
  if (UTF8ISH.test(name)) return { decoder: new NodeDecoder('utf8'), unknown: null };
  if (!REFUSED.test(name) && !REFUSED.test(raw) && iconv.encodingExists(name)) {
    try {
      return { decoder: new IconvDecoder(iconv.getDecoder(name)), unknown: null };
    } catch {
      // fall through to latin1
    }
  }
  return { decoder: new NodeDecoder('latin1'), unknown: raw.slice(0, 64) };
}
