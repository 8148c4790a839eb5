/**
 * The sender's own words in a body, for the brevity rule (MPS Personal Use SOP 3.4: personal
 * email "must be brief, normally consisting of only a few lines of text"). A reply should not be
 * held because of the history it quotes, nor because of the disclaimer the organisation adds.
 *
 * Counting: non-blank lines (blank lines are layout, not text), and the characters of those
 * lines without their leading and trailing white space. Not counted:
 *  - the configured disclaimer, matched ignoring white space and case, wherever it appears;
 *  - everything from the first history separator on: "On <date>, <name> wrote:" (also wrapped
 *    over up to three lines), "-----Original Message-----", an Outlook header block ("From: ..."
 *    followed within three lines by "Sent: ..." or "Date: ...", with the underscore rule above it),
 *    "---------- Forwarded message ---------" and "Begin forwarded message:";
 *  - lines quoted with '>'.
 * Known weakness: own text written after a fake separator is not counted; brevity is a
 * quarantine rule, so the price of that trick is low.
 */
import { toLf } from '../message/line-breaks.js';
import { historyStart } from '../message/quoted-history.js';

export interface OwnText {
  readonly lines: number;
  readonly chars: number;
}

export function measureOwnText(body: string, disclaimer: string): OwnText {
  let text = toLf(body);
  const words = disclaimer.trim().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    const re = new RegExp(words.map(escapeRegExp).join('\\s+'), 'gi');
    text = text.replace(re, '\n');
  }
  const all = text.split('\n');
  const end = historyStart(all);
  let lines = 0;
  let chars = 0;
  for (let i = 0; i < end; i++) {
    const line = (all[i] ?? '').trim();
    if (!line || line.startsWith('>')) continue;
    lines++;
    chars += line.length;
  }
  return { lines, chars };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
