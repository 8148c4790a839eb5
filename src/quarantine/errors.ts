/** A quarantine operation that cannot be done as asked; the message says why and what to do. */
export class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
  constructor(
    message: string,
    readonly code: 'not-found' | 'not-held' | 'bad-input',
  ) {
    super(message);
  }
}

/** A reviewer's name or reason: required, one line, bounded. */
export function checkReviewText(what: 'by' | 'reason', value: string | undefined, max: number): string {
  const text = (value ?? '').replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  if (!text) throw new QuarantineError(`--${what} is required: say ${what === 'by' ? 'who acts' : 'why'}`, 'bad-input');
  if (text.length > max) throw new QuarantineError(`--${what} is longer than ${max} characters`, 'bad-input');
  return text;
}
