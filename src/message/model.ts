/**
 * The read-only model that inspection builds from a message.
 * Everything here is plain data: checks read it and never change it.
 */

/** One header field as it appeared, with its value unfolded and RFC 2047 decoded. */
export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** Unfolded, RFC 2047-decoded value (may be truncated to the parse limits). */
  readonly value: string;
}

/** Every header field in order; duplicates are kept and countable. */
export interface HeaderList {
  readonly fields: readonly HeaderField[];
  /** First value of a field, or undefined. Name is case-insensitive. */
  get(name: string): string | undefined;
  /** Every value of a field, in order. */
  getAll(name: string): readonly string[];
  count(name: string): number;
  has(name: string): boolean;
}

export interface Address {
  /** Decoded display name ('' when none). */
  readonly name: string;
  /** Address with the domain lower-cased ('' when unparseable). */
  readonly address: string;
}

/**
 * What the content of a part really is, from its bytes (never from its name).
 * `family` is the coarse class that policy reasons about.
 */
export type TypeFamily =
  | 'executable' // PE, ELF, Mach-O, MSI, Java class, scripts by name, script-bearing HTML/SVG, lnk, ...
  | 'word' // doc, docx, docm, dotm ...
  | 'excel' // xls, xlsx, xlsm, xlsb ...
  | 'office-other' // ppt, pptx, vsdx, onenote, ...
  | 'pdf'
  | 'image'
  | 'audio'
  | 'video'
  | 'archive' // zip, gzip, tar, 7z, rar, cab, iso, vhd ...
  | 'message' // message/rfc822, Outlook .msg, TNEF
  | 'text' // plain text, csv, html without script ...
  | 'encrypted' // S/MIME or PGP payloads
  | 'unknown';

export interface DetectedType {
  /** MIME type detected from content, e.g. 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'. */
  readonly mime: string;
  /** Canonical extension for the detected type, without dot ('docx', 'exe', 'png'); '' when unknown. */
  readonly ext: string;
  readonly family: TypeFamily;
  /** True for an Office file that carries VBA or XLM macros. */
  readonly macros: boolean;
  /** True when the content is password-encrypted (encrypted Office file, encrypted zip member). */
  readonly encrypted: boolean;
  /** How the type was established: 'magic' (bytes), 'container' (looked inside zip/cfb), 'name' (scripts have no magic), 'text'. */
  readonly basis: 'magic' | 'container' | 'name' | 'text' | 'none';
  /** For markup that runs code: the first active content found ('javascript: URL', '<script> element' ...). */
  readonly activeContent?: string;
}

/** Tricks found in a declared file name. */
export type NameTrick =
  | 'bidi-control' // U+202E and friends were present (stripped)
  | 'zero-width' // zero-width characters were present (stripped)
  | 'double-extension' // report.docx.exe
  | 'extension-mismatch' // visible extension differs from the real type
  | 'trailing-dots-or-spaces';

export type ProtectiveLevel = string; // canonical level name from the configured rank table, e.g. 'RESTRICTED'

export interface MarkingHit {
  /** Canonical level name, e.g. 'OFFICIAL-SENSITIVE'. */
  readonly level: ProtectiveLevel;
  /** Rank from the configured table (higher is more sensitive). */
  readonly rank: number;
  /** Where it was found: 'subject', 'body', 'header:x-protective-marking', 'header:msip_labels', 'attachment:<path>'. */
  readonly source: string;
  /** The text that carried it (shortened). */
  readonly text: string;
  /**
   * Set when the text may or may not mark this email (a marking only in quoted history, a bare
   * CONFIDENTIAL that commercial mail also uses): why, in words ('in quoted history'). Such a hit
   * never sets the marking by itself; the marking-unclear rule holds the mail for a reviewer.
   */
  readonly doubt?: string;
}

/**
 * One attachment, inline part, archive member or part of an attached message.
 * The list on the message is flat; `location` says where each one sits.
 */
export interface Attachment {
  /** Stable id within the message: MIME part path and archive path, e.g. '2', '2/inner.zip/a.exe', '3.1'. */
  readonly id: string;
  /** Human-readable location: ['report.zip', 'inner/tool.exe']; the last element is this item. */
  readonly location: readonly string[];
  /** 'part' = a MIME part of the (outer or attached) message; 'member' = a file inside an archive or container. */
  readonly origin: 'part' | 'member';
  /** Nesting depth: 0 for parts of the outer message, +1 per archive or attached message. */
  readonly depth: number;
  /** Declared file name after RFC 2231/2047 decoding with bidi and zero-width characters stripped; null when none. */
  readonly name: string | null;
  /** The name as declared, before stripping (only when it differs from `name`). */
  readonly rawName: string | null;
  readonly nameTricks: readonly NameTrick[];
  /** Declared Content-Type (lower-case, without parameters); '' for archive members. */
  readonly declaredType: string;
  readonly disposition: 'attachment' | 'inline' | null;
  /** Content-ID without angle brackets, or null. */
  readonly contentId: string | null;
  /** Decoded size in bytes. */
  readonly size: number;
  /** Hex sha256 of the decoded content. */
  readonly sha256: string;
  readonly detected: DetectedType;
  /** Why this item could not be fully inspected (encrypted, limits, unknown archive), or null. */
  readonly unscannable: string | null;
  /** Markings found inside this item (Office labels, document properties, header/footer text). */
  readonly markings: readonly MarkingHit[];
}

export type EncryptionKind = 'smime' | 'pgp-mime' | 'pgp-inline';

/** Something wrong with the message structure or a limit that stopped parsing. */
export interface Anomaly {
  readonly kind:
    | 'parse-limit' // too many parts, too deep, header too large, time limit ...
    | 'malformed' // broken MIME the parser could not follow reliably
    | 'decode-error'; // a part whose transfer encoding or charset could not be decoded
  readonly detail: string;
}

export interface InspectedMessage {
  readonly headers: HeaderList;
  /** Decoded subject ('' when absent). */
  readonly subject: string;
  readonly messageId: string | null;
  readonly from: readonly Address[];
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly bcc: readonly Address[];
  /** Bytes of the message as received. */
  readonly size: number;
  /** Hex sha256 of the message as received. */
  readonly sha256: string;
  /**
   * Charset-decoded text of the main body: text/plain parts, or text/html with tags stripped
   * when there is no plain alternative. Bounded by the parse limits.
   */
  readonly bodyText: string;
  readonly attachments: readonly Attachment[];
  /** Encryption of the message itself (not of attachments), or null. */
  readonly encryption: EncryptionKind | null;
  /** Markings from the subject, body banners and headers of the outer message, and from all attachments. */
  readonly markings: readonly MarkingHit[];
  readonly anomalies: readonly Anomaly[];
  /** Attached messages (message/rfc822, .msg), inspected like the outer one; their attachments are also in `attachments`. */
  readonly attachedMessages: readonly AttachedMessageSummary[];
}

export interface AttachedMessageSummary {
  readonly id: string;
  readonly subject: string;
  readonly from: readonly Address[];
  readonly encryption: EncryptionKind | null;
}
