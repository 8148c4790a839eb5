import { describe, expect, it } from 'vitest';
import { unscannable } from '../../../src/policy/checks/unscannable.js';
import { context, detected, envelope, message, part, SENDER } from '../builder.js';

const env = envelope(SENDER, ['partner@example.org']);

describe('unscannable', () => {
  it('holds an attachment that could not be inspected, saying why', () => {
    const [f] = unscannable.run(context(message({ attachments: [part('secret.zip', 'zip', { unscannable: 'encrypted archive member' })] }), env));
    expect(f?.reason).toBe(
      "Email carries content that could not be checked: 'secret.zip' (zip archive), encrypted archive member; what cannot be checked could hide malicious code (MPS Information Code of Conduct)",
    );
    expect(f?.evidence).toEqual(['secret.zip: zip (encrypted archive member)']);
  });

  it('holds a part that could not be decoded', () => {
    const [f] = unscannable.run(context(message({ anomalies: [{ kind: 'decode-error', detail: 'bad base64 in part 2' }] }), env));
    expect(f?.evidence).toEqual(['decode-error: bad base64 in part 2']);
  });

  it('does not count the wrapping of an encrypted message, but does count an encrypted file in plain mail', () => {
    const wrapping = part('smime.p7m', 'p7m', { unscannable: 'encrypted' });
    expect(unscannable.run(context(message({ encryption: 'smime', attachments: [wrapping] }), env))).toEqual([]);
    expect(unscannable.run(context(message({ attachments: [wrapping] }), env))).toHaveLength(1);
  });

  it('counts a password-protected Word file', () => {
    const doc = part('plan.docx', 'docx', { detected: detected('docx', { encrypted: true }), unscannable: 'password-protected Office file' });
    const [f] = unscannable.run(context(message({ attachments: [doc] }), env));
    expect(f?.reason).toContain("'plan.docx' (password-protected Word document)");
  });

  it('ignores other anomalies and clean mail', () => {
    expect(unscannable.run(context(message({ anomalies: [{ kind: 'parse-limit', detail: 'x' }], attachments: [part('a.pdf', 'pdf')] }), env))).toEqual([]);
  });
});
