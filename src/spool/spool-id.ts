/**
 * Spool ids are also our reference ids and BullMQ job id parts, so they must be
 * time-sortable (a directory listing is roughly arrival order), URL- and file-name-safe,
 * free of ':' and never integer-like (BullMQ refuses numeric custom ids).
 */
import { randomBytes } from 'node:crypto';

/** Crockford base32, lower case: no i, l, o, u, so ids read aloud without confusion. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LETTERS = 'abcdefghjkmnpqrstvwxyz';
/** 10 base32 digits of milliseconds last until the year 36812. */
const TIME_DIGITS = 10;
const RANDOM_DIGITS = 9;

/** Ids a Spool accepts: what newSpoolId makes, plus room for ids minted elsewhere. */
export const SPOOL_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export function isSpoolId(id: string): boolean {
  return SPOOL_ID_PATTERN.test(id) && !/^\d+$/.test(id);
}

/**
 * `<10 time digits><1 letter><9 random digits>`, e.g. `01hzx3k9qmbq4r7a2kd0`.
 * The fixed letter position guarantees the id is never integer-like; 9 random digits
 * (45 bits) make a collision within one millisecond negligible across processes.
 */
export function newSpoolId(now: number = Date.now()): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < TIME_DIGITS; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(RANDOM_DIGITS + 1);
  let tail = LETTERS[(rnd[0] ?? 0) % LETTERS.length] ?? 'a';
  for (let i = 1; i <= RANDOM_DIGITS; i++) tail += ALPHABET[(rnd[i] ?? 0) & 31];
  return time + tail;
}

/** The arrival time (ms) a newSpoolId() id carries, or null for ids minted elsewhere. */
export function spoolIdTime(id: string): number | null {
  if (id.length !== TIME_DIGITS + 1 + RANDOM_DIGITS || !LETTERS.includes(id[TIME_DIGITS] ?? '')) return null;
  let t = 0;
  for (let i = 0; i < TIME_DIGITS; i++) {
    const digit = ALPHABET.indexOf(id[i] ?? '');
    if (digit < 0) return null;
    t = t * 32 + digit;
  }
  return t;
}
