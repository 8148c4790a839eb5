import { describe, expect, it } from 'vitest';
import { executableContent } from '../../../src/policy/checks/executable-content.js';
import { context, envelope, member, message, part, policyWith, SENDER } from '../builder.js';

const env = envelope(SENDER, ['colleague@met.police.uk']);
const run = (attachments: ReturnType<typeof part>[], policy?: ReturnType<typeof policyWith>, subject?: string) =>
  executableContent.run(context(message({ attachments, ...(subject ? { subject } : {}) }), env, policy));

describe('executable-content', () => {
  it('refuses a program in business mail, with the clause', () => {
    const [f] = run([part('setup.exe', 'exe')]);
    expect(f?.reason).toBe(
      "Email carries 'setup.exe' (Windows program): software, executable files and scripts may not be sent (MPS Personal Use SOP 4.3; MPS Information Code of Conduct)",
    );
  });

  it('refuses in personal mail too', () => {
    expect(run([part('game.exe', 'exe')], undefined, '[Personal] game')).toHaveLength(1);
  });

  it('finds a program by true type behind a document name, and scripts by name', () => {
    const [f] = run([part('invoice.pdf', 'exe'), part('run.js', 'js')]);
    expect(f?.evidence).toEqual(['invoice.pdf: exe', 'run.js: js']);
  });

  it('finds programs deep in archives and attached messages', () => {
    const zip = part('report.zip', 'zip');
    const inner = member(zip, 'inner.zip', 'zip');
    const eml = part('fwd.eml', 'eml');
    const [f] = run([zip, inner, member(inner, 'tool.exe', 'exe'), eml, part('payload.scr', 'exe', { id: '3.2', location: ['fwd.eml', 'payload.scr'], depth: 1 })]);
    expect(f?.reason).toContain("'tool.exe' (Windows program) in 'inner.zip' in 'report.zip'");
    expect(f?.evidence).toEqual(['report.zip/inner.zip/tool.exe: exe', 'fwd.eml/payload.scr: exe']);
  });

  it('names the double-extension trick, even when the true type is not a program', () => {
    const [f] = run([part('report.docx.exe', 'exe', { nameTricks: ['double-extension'] }), part('cv.pdf.zip', 'zip', { nameTricks: ['double-extension'] })]);
    expect(f?.reason).toContain("'report.docx.exe' (Windows program; name with a double extension)");
    expect(f?.reason).toContain("'cv.pdf.zip' (zip archive; name with a double extension, a disguise used for programs)");
  });

  it('counts executable names (Outlook Level-1) and extraExtensions, whatever the bytes', () => {
    const [f] = run([part('backup.pst', 'unknown'), part('notes.txt', 'txt')]);
    expect(f?.reason).toContain("'backup.pst' (file of unknown type; .pst files are executable by name)");
    expect(f?.evidence).toEqual(['backup.pst: application/octet-stream']);
    const policy = policyWith((p) => (p.rules['executable-content'].extraExtensions = ['ISO', 'rb']));
    expect(run([part('tool.rb', 'txt')], policy)).toHaveLength(1);
    expect(run([part('tool.rb.. ', 'txt')], policy)).toHaveLength(1);
    expect(run([part('tool.rb', 'txt')])).toEqual([]);
  });

  it('leaves documents, images and archives of documents alone', () => {
    const zip = part('a.zip', 'zip');
    expect(run([part('a.docx', 'docx'), part('b.png', 'png'), zip, member(zip, 'c.xlsx', 'xlsx'), part('d.docx', 'docx', { nameTricks: ['extension-mismatch'] })])).toEqual([]);
  });
});
