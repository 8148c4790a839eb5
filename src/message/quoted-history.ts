/**
 * Where the history of a reply or forward starts in a plain-text body: the text of earlier
 * messages that the sender's client quoted. Used by the brevity rule (the sender's own words)
 * and by marking detection (a marking in quoted history does not by itself mark our mail).
 *
 * Separators: "On <date>, <name> wrote:" (also wrapped over up to three lines),
 * "-----Original Message-----", an Outlook header block ("From: ..." followed within three lines
 * by "Sent: ..." or "Date: ...", with the underscore rule above it when there is one),
 * "---------- Forwarded message ---------" and "Begin forwarded message:". Lines quoted with '>'
 * are history wherever they stand.
 */

const ORIGINAL = /^\s*-{2,}\s*(?:original message|forwarded message)\s*-{2,}\s*$/i;
const BEGIN_FORWARDED = /^\s*begin forwarded message:\s*$/i;
const ON_START = /^\s*on\s.{0,200}$/i;
const WROTE_END = /wrote:\s*$/i;
const FROM_LINE = /^\s*\*?from:\*?\s*\S/i;
const SENT_LINE = /^\s*\*?(?:sent|date):\*?\s*\S/i;
const RULE_LINE = /^\s*_{10,}\s*$/;

/** Index of the first line of quoted history, or the number of lines when there is none. */
export function historyStart(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (ORIGINAL.test(line) || BEGIN_FORWARDED.test(line)) return i;
    if (ON_START.test(line)) {
      for (let j = i; j < Math.min(i + 3, lines.length); j++) if (WROTE_END.test(lines[j] ?? '')) return i;
    }
    if (FROM_LINE.test(line) && lines.slice(i + 1, i + 4).some((l) => SENT_LINE.test(l))) {
      return i > 0 && RULE_LINE.test(lines[i - 1] ?? '') ? i - 1 : i;
    }
  }
  return lines.length;
}

/** A line quoted with '>' (any depth, any leading white space). */
export function isQuotedLine(line: string): boolean {
  return /^\s*>/.test(line);
}
