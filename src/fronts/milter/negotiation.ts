/**
 * What mailwarden asks of the MTA at negotiation, and why.
 *
 * Actions: add and change headers (X-Mailwarden-*, and deleting forged ones), quarantine (the
 * `hold` mode), and our own macro list. Nothing that rewrites the envelope or the body.
 *
 * Protocol: no reply to any step but the end of body (the decision needs the whole message, and
 * each reply avoided is a round trip per header or body chunk saved), no unknown commands, and
 * header values with their leading space as sent (SMFIP_HDR_LEADSPC), so that the message we
 * rebuild for inspection is byte for byte the one Postfix delivers. Every step is still sent:
 * the envelope, headers and body are all inspected. An MTA that grants fewer flags simply gets
 * `continue` for the steps it wants answered.
 */
import { Action, MacroStage, Protocol } from './protocol.js';

export const MILTER_ACTIONS = Action.AddHeaders | Action.ChangeHeaders | Action.Quarantine | Action.SetMacroList;

export const MILTER_PROTOCOL =
  Protocol.NoReplyConnect |
  Protocol.NoReplyHelo |
  Protocol.NoReplyMail |
  Protocol.NoReplyRcpt |
  Protocol.NoReplyData |
  Protocol.NoReplyHeader |
  Protocol.NoReplyEndOfHeaders |
  Protocol.NoReplyBody |
  Protocol.NoUnknown |
  Protocol.HeaderLeadingSpace;

/** The macros recorded in the audit trail, asked for at the stage where Postfix knows them. */
export const MILTER_MACROS: ReadonlyMap<number, readonly string[]> = new Map([
  [MacroStage.Connect, ['j', '{client_addr}', '{client_name}', '{daemon_name}']],
  [MacroStage.Helo, ['{tls_version}', '{cipher}']],
  [MacroStage.Mail, ['{auth_authen}', '{auth_type}']],
  // The queue id exists from the first valid RCPT on: asked at DATA, so the message's record has it.
  [MacroStage.Data, ['i']],
  [MacroStage.EndOfMessage, ['i']],
]);
