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
 * step costs a loopback round trip (a few microseconds) and carries the ACK at once.
 */
import { Action, MacroStage, Protocol } from './protocol.js';

export const MILTER_ACTIONS = Action.AddHeaders | Action.ChangeHeaders | Action.Quarantine | Action.SetMacroList;

export const MILTER_PROTOCOL = Protocol.NoUnknown | Protocol.HeaderLeadingSpace;

/** The macros recorded in the audit trail, asked for at the stage where Postfix knows them. */
export const MILTER_MACROS: ReadonlyMap<number, readonly string[]> = new Map([
  [MacroStage.Connect, ['j', '{client_addr}', '{client_name}', '{daemon_name}']],
  [MacroStage.Helo, ['{tls_version}', '{cipher}']],
  [MacroStage.Mail, ['{auth_authen}', '{auth_type}']],
  // The queue id exists from the first valid RCPT on: asked at DATA, so the message's record has it.
  [MacroStage.Data, ['i']],
  [MacroStage.EndOfMessage, ['i']],
]);
