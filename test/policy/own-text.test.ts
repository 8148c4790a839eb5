import { describe, expect, it } from 'vitest';
import { measureOwnText } from '../../src/policy/own-text.js';

describe('own text for the brevity rule', () => {
  it('counts non-blank lines and their trimmed characters', () => {
    expect(measureOwnText('Hi Sam,\n\n  Dinner at 8?  \n\nAlex\n', '')).toEqual({ lines: 3, chars: 7 + 12 + 4 });
  });

  it('leaves out > quoted lines', () => {
    expect(measureOwnText('Yes.\n> Are you coming?\n>> Earlier\n', '').lines).toBe(1);
  });

  it.each([
    'On Mon, 3 Jun 2024 at 10:00, Sam Patel <sam@example.org> wrote:',
    'On Mon, 3 Jun 2024 at 10:00, Sam Patel <\nsam@example.org> wrote:',
    '-----Original Message-----',
    '---------- Forwarded message ---------',
    'Begin forwarded message:',
    'From: Sam Patel <sam@example.org>\nSent: 03 June 2024 10:00\nTo: Alex',
    '________________________________\nFrom: Sam Patel\nSent: Monday',
  ])('stops at the history separator %j', (sep) => {
    const body = `Sounds good.\nSee you then.\n${sep}\nline 1\nline 2\nline 3\n`;
    expect(measureOwnText(body, '').lines).toBe(2);
  });

  it('does not stop at an ordinary From: line or an ordinary "On" line', () => {
    expect(measureOwnText('From: the desk of Alex\nhello\nOn Monday we go\nbye', '').lines).toBe(4);
  });

  it('removes the disclaimer, ignoring white space and case', () => {
    const disclaimer = 'This email and any attachments are confidential.\nIf received in error, delete it.';
    const body = 'Hi\nThanks\nTHIS EMAIL and any   attachments are confidential. If received\nin error, delete it.\n';
    expect(measureOwnText(body, disclaimer)).toEqual({ lines: 2, chars: 8 });
    expect(measureOwnText(body, '').lines).toBe(4);
  });

  it('handles CRLF bodies', () => {
    expect(measureOwnText('a\r\nb\r\n\r\nc', '').lines).toBe(3);
  });
});
