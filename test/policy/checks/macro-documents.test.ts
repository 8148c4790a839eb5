import { describe, expect, it } from 'vitest';
import { macroDocuments } from '../../../src/policy/checks/macro-documents.js';
import { context, envelope, member, message, part, SENDER } from '../builder.js';

const env = envelope(SENDER, ['partner@kent.police.uk']);

describe('macro-documents', () => {
  it('holds business mail with macro-enabled Office files, in archives too', () => {
    const zip = part('pack.zip', 'zip');
    const [f] = macroDocuments.run(context(message({ attachments: [part('calc.xlsm', 'xlsm'), zip, member(zip, 'form.docm', 'docm')] }), env));
    expect(f?.reason).toBe(
      "Email carries 'calc.xlsm' (Excel workbook with macros) and 'form.docm' (Word document with macros) in 'pack.zip': Office macros can carry malicious code, so a person must look before it is sent (MPS Information Code of Conduct (malicious code))",
    );
  });

  it('leaves macro-free files alone, and personal mail to personal-attachment-type', () => {
    expect(macroDocuments.run(context(message({ attachments: [part('a.docx', 'docx')] }), env))).toEqual([]);
    expect(macroDocuments.run(context(message({ subject: '[Personal] x', attachments: [part('a.docm', 'docm')] }), env))).toEqual([]);
  });
});
