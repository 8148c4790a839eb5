/**
 * What mailwarden asks of the MTA at negotiation, and why.
 *
 * Actions: add and change headers (X-Mailwarden-*, and deleting forged ones), quarantine (the
 * `hold` mode), and our own macro list. Nothing that rewrites the envelope or the body.
 *
 * Protocol: header values with their leading space as sent (SMFIP_HDR_LEADSPC), so that the
 * message we rebuild for inspection is byte for byte the one Postfix delivers, and no unknown
 * commands. Every step is answered (`continue`), deliberately: with the "no reply" flags Postfix
 * writes several small frames in a row without waiting, Nagle holds each one after the first
 * until our ACK, and our ACK waits for Linux's delayed-ACK timer because we send nothing back:
 * about 45 ms per message, measured (docs/decisions/milter-replies-every-step.md). A reply per
 * step costs a loopback round trip and carries the ACK at once. On a unix socket there is no
 * Nagle and no delayed ACK: there we ask for "no reply" on every step before the end of the body,
 * which saves about a dozen round trips per message (MILTER_PROTOCOL_UNIX).
 */
import { Action, MacroStage, Protocol } from './protocol.js';

export const MILTER_ACTIONS = Action.AddHeaders | Action.ChangeHeaders | Action.Quarantine | Action.SetMacroList;

export const MILTER_PROTOCOL = Protocol.NoUnknown | Protocol.HeaderLeadingSpace;

/** Steps mailwarden never answers but with `continue`: the MTA need not wait for them. */
const NO_REPLY_STEPS =
  Protocol.NoReplyConnect |
  Protocol.NoReplyHelo |
  Protocol.NoReplyMail |
  Protocol.NoReplyRcpt |
  Protocol.NoReplyData |
  Protocol.NoReplyHeader |
  Protocol.NoReplyEndOfHeaders |
  Protocol.NoReplyBody |
  Protocol.NoReplyUnknown;

/** On a unix socket (no Nagle, no delayed ACK), only the end of the body is answered. */
export const MILTER_PROTOCOL_UNIX = MILTER_PROTOCOL | NO_REPLY_STEPS;

/** The protocol flags to ask for on a listener of this kind. */
export function milterProtocolFor(listen: { readonly path: string } | { readonly host: string; readonly port: number }): number {
  return 'path' in listen ? MILTER_PROTOCOL_UNIX : MILTER_PROTOCOL;
}

/** The macros recorded in the audit trail, asked for at the stage where Postfix knows them. */
export const MILTER_MACROS: ReadonlyMap<number, readonly string[]> = new Map([
  [MacroStage.Connect, ['j', '{client_addr}', '{client_name}', '{daemon_name}']],
  [MacroStage.Helo, ['{tls_version}', '{cipher}']],
  [MacroStage.Mail, ['{auth_authen}', '{auth_type}']],
  // The queue id exists from the first valid RCPT on: asked at DATA, so the message's record has it.
  [MacroStage.Data, ['i']],
  [MacroStage.EndOfMessage, ['i']],
]);
