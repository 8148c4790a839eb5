import { describe, expect, it } from 'vitest';
import { personalAttachmentType } from '../../../src/policy/checks/personal-attachment-type.js';
import { bodyPart, context, detected, envelope, member, message, part, policyWith, SENDER } from '../builder.js';

const env = envelope(SENDER, ['alex.turner1984@gmail.com']);
const personal = (attachments: ReturnType<typeof part>[]) => message({ subject: '[Personal] forms', attachments });
const run = (msg: ReturnType<typeof message>, policy = undefined as ReturnType<typeof policyWith> | undefined) =>
  personalAttachmentType.run(context(msg, env, policy));

describe('personal-attachment-type', () => {
  it('allows macro-free Word and Excel files by true type, and the body parts', () => {
    expect(run(personal([bodyPart('txt'), bodyPart('html'), part('cv.docx', 'docx'), part('old.doc', 'doc'), part('budget.xlsx', 'xlsx'), part('b.xls', 'xls')]))).toEqual([]);
  });

  it('refuses a PDF, naming it, its type and the clause', () => {
    const [f, ...rest] = run(personal([part('tickets.pdf', 'pdf')]));
    expect(rest).toEqual([]);
    expect(f?.rule).toBe('personal-attachment-type');
    expect(f?.reason).toBe(
      "Personal email carries 'tickets.pdf' (PDF document): personal email may carry only Word or Excel files without macros (doc, docx, xls, xlsx) (MPS Personal Use SOP 4.3)",
    );
    expect(f?.evidence).toEqual(['tickets.pdf: pdf']);
    expect(f?.policyRef).toBe('MPS Personal Use SOP 4.3');
  });

  it('judges the true type, not the name: a PDF named .docx is refused', () => {
    expect(run(personal([part('cv.docx', 'pdf')]))).toHaveLength(1);
  });

  it('refuses macro-enabled Word and Excel files', () => {
    const [f] = run(personal([part('tool.docm', 'docm'), part('calc.xlsx', 'xlsx', { detected: detected('xlsx', { macros: true }) })]));
    expect(f?.reason).toContain("'tool.docm' (Word document with macros)");
    expect(f?.reason).toContain("'calc.xlsx' (Excel workbook with macros)");
  });

  it('refuses an archive itself and judges its members', () => {
    const zip = part('forms.zip', 'zip');
    const [f] = run(personal([zip, member(zip, 'a.docx', 'docx'), member(zip, 'notes.txt', 'txt')]));
    expect(f?.evidence).toEqual(['forms.zip: zip', 'forms.zip/notes.txt: txt']);
    expect(f?.reason).toContain("'notes.txt' (text file) in 'forms.zip'");
  });

  it('leaves images, sound and video to personal-media', () => {
    expect(run(personal([part('a.jpg', 'jpeg'), part('b.mp3', 'mp3'), part('c.mp4', 'mp4')]))).toEqual([]);
  });

  it('does not apply to business mail', () => {
    expect(personalAttachmentType.run(context(message({ attachments: [part('a.pdf', 'pdf')] }), env))).toEqual([]);
  });

  it('ignores a signature part but not an unnamed text part that is really a program', () => {
    expect(run(personal([part('smime.p7s', 'p7s', { disposition: null })]))).toEqual([]);
    const disguised = part(null, 'exe', { declaredType: 'text/plain', disposition: null });
    expect(run(personal([disguised]))).toHaveLength(1);
  });

  it('follows allowedTypes from the policy', () => {
    const pdfAllowed = policyWith((p) => (p.rules['personal-attachment-type'].allowedTypes = ['docx', 'pdf']));
    expect(run(personal([part('a.pdf', 'pdf')]), pdfAllowed)).toEqual([]);
    expect(run(personal([part('a.xlsx', 'xlsx')]), pdfAllowed)).toHaveLength(1);
  });

  it('names three items and counts the rest', () => {
    const items = Array.from({ length: 30 }, (_, i) => part(`f${i}.pdf`, 'pdf'));
    const [f] = run(personal(items));
    expect(f?.reason).toContain("'f2.pdf' (PDF document) and 27 more");
    expect(f?.evidence).toHaveLength(21);
  });
});
