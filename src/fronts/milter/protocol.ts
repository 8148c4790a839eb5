/**
 * Sendmail milter protocol, version 6: the constants both sides agree on.
 *
 * Framing: a 4-byte big-endian length that counts the command byte, the command byte, the data.
 * References: Sendmail's libmilter (mfdef.h), Postfix's milter8.c, and what Postfix 3.7 really
 * sends, recorded in ../shared/postfix-test-fixture.md (section 7).
 */

export const MILTER_VERSION = 6;

/** Commands the MTA sends. */
export const Command = {
  OptNeg: 'O',
  Macro: 'D',
  Connect: 'C',
  Helo: 'H',
  Mail: 'M',
  Rcpt: 'R',
  Data: 'T',
  Header: 'L',
  EndOfHeaders: 'N',
  Body: 'B',
  EndOfBody: 'E',
  Abort: 'A',
  Quit: 'Q',
  QuitNewConnection: 'K',
  Unknown: 'U',
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

/** Replies the milter sends. */
export const Reply = {
  OptNeg: 'O',
  Accept: 'a',
  Continue: 'c',
  Reject: 'r',
  TempFail: 't',
  ReplyCode: 'y',
  Discard: 'd',
  Quarantine: 'q',
  AddHeader: 'h',
  InsertHeader: 'i',
  ChangeHeader: 'm',
  Progress: 'p',
} as const;
export type ReplyCode = (typeof Reply)[keyof typeof Reply];

/** Actions the milter may take (SMFIF_*), offered by the MTA and chosen by the milter at negotiation. */
export const Action = {
  AddHeaders: 0x01,
  ChangeBody: 0x02,
  AddRcpt: 0x04,
  DeleteRcpt: 0x08,
  ChangeHeaders: 0x10,
  Quarantine: 0x20,
  ChangeFrom: 0x40,
  AddRcptWithArgs: 0x80,
  SetMacroList: 0x100,
} as const;

/** Protocol steps (SMFIP_*): steps the MTA may skip, and steps that get no reply. */
export const Protocol = {
  NoConnect: 0x1,
  NoHelo: 0x2,
  NoMail: 0x4,
  NoRcpt: 0x8,
  NoBody: 0x10,
  NoHeaders: 0x20,
  NoEndOfHeaders: 0x40,
  NoReplyHeader: 0x80,
  NoUnknown: 0x100,
  NoData: 0x200,
  Skip: 0x400,
  RcptRejected: 0x800,
  NoReplyConnect: 0x1000,
  NoReplyHelo: 0x2000,
  NoReplyMail: 0x4000,
  NoReplyRcpt: 0x8000,
  NoReplyData: 0x10000,
  NoReplyUnknown: 0x20000,
  NoReplyEndOfHeaders: 0x40000,
  NoReplyBody: 0x80000,
  HeaderLeadingSpace: 0x100000,
} as const;

/** Macro stages, for the macro list a milter asks for at negotiation (SMFIM_*). */
export const MacroStage = {
  Connect: 0,
  Helo: 1,
  Mail: 2,
  Rcpt: 3,
  Data: 4,
  EndOfMessage: 5,
  EndOfHeaders: 6,
} as const;

/**
 * The largest frame we take. Postfix sends body chunks of at most 65,535 bytes, but one header is
 * one frame and may be as long as Postfix's header_size_limit (100 KiB by default); 1 MiB is
 * libmilter's largest negotiable data size (SMFIP_MDS_1M).
 */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
