/**
 * The message as Postfix will deliver it, rebuilt from what the milter protocol carries, so that
 * inspection sees exactly those bytes: each header as `Name:value` CRLF (the value verbatim when
 * SMFIP_HDR_LEADSPC was negotiated, else with the one space Postfix stripped put back), the bare
 * LF Postfix leaves at each fold made CRLF, a blank line, then the body chunks as they come
 * (Postfix sends them with CRLF line ends, dot-unstuffed).
 *
 * Postfix does not pass its own Received: line to the milter; nothing else is missing.
 */
import { Protocol } from './protocol.js';

export function headerBytes(name: string, value: string, protocol: number): Buffer {
  const kept = (protocol & Protocol.HeaderLeadingSpace) !== 0;
  const folded = value.replace(/\r?\n/g, '\r\n');
  return Buffer.from(`${name}:${kept ? '' : ' '}${folded}\r\n`, 'latin1');
}

export const END_OF_HEADERS = Buffer.from('\r\n');

/**
 * A header value to send in an add/insert/change reply: with SMFIP_HDR_LEADSPC the MTA adds no
 * space of its own, so we give it one.
 */
export function outgoingValue(value: string, protocol: number): string {
  return (protocol & Protocol.HeaderLeadingSpace) !== 0 ? ` ${value}` : value;
}
