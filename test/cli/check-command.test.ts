/**
 * `mailwarden check` as a user runs it: a real process, real files, real exit codes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

const run = promisify(execFile);
const main = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const tsx = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');

async function mailwarden(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [main, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const exeMessage = [
  'From: Alex Turner <alex.turner@met.police.uk>',
  'To: Sam Jones <sam.jones@example.org>',
  'Subject: Invoice',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="x"',
  '',
  '--x',
  'Content-Type: text/plain',
  '',
  'See attached.',
  '--x',
  'Content-Type: application/pdf; name="invoice.pdf"',
  'Content-Disposition: attachment; filename="invoice.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  // 'MZ' DOS stub with e_lfanew=0x40 pointing at 'PE\0\0' and a COFF header
  Buffer.concat([
    Buffer.from('MZ'),
    Buffer.alloc(58),
    Buffer.from([0x40, 0, 0, 0]),
    Buffer.from('PE\0\0'),
    Buffer.from([0x4c, 0x01, 0x01, 0x00]),
    Buffer.alloc(200),
  ]).toString('base64'),
  '--x--',
  '',
].join('\r\n');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-cli-'));
  dirs.push(dir);
  return dir;
}

describe('mailwarden check', () => {
  it('rejects a disguised executable and names the rule and clause, exit 0', async () => {
    const dir = await tempDir();
    const file = join(dir, 'invoice.eml');
    await writeFile(file, exeMessage);
    const json = await mailwarden(['check', '--json', file]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.decision).toBe('reject');
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('executable-content');
    expect(report.message.attachments[0].family).toBe('executable');
    const text = await mailwarden(['check', file, '--to', 'sam.jones@example.org', '--from', 'alex.turner@met.police.uk']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Decision: REJECT/);
    expect(text.stdout).toMatch(/executable-content/);
    expect(text.stdout).toMatch(/SOP 4\.3/);
  });

  it('fails with a clear message for a missing file or a bad flag', async () => {
    const missing = await mailwarden(['check', '/nonexistent/x.eml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read '\/nonexistent\/x.eml'/);
    const bad = await mailwarden(['check', '--bogus', 'x.eml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
  });

  it('refuses an invalid policy file naming the key', async () => {
    const dir = await tempDir();
    const policy = join(dir, 'policy.yaml');
    const doc = parseYaml(await readFile(join(import.meta.dirname, '..', '..', 'config', 'policy.yaml'), 'utf8'));
    doc.rules['mass-mail'] = { ...doc.rules['mass-mail'], acton: 'reject' };
    await writeFile(policy, stringifyYaml(doc));
    const msg = join(dir, 'm.eml');
    await writeFile(msg, 'From: a@met.police.uk\r\nTo: b@met.police.uk\r\nSubject: x\r\n\r\nhello\r\n');
    const res = await mailwarden(['check', '--config', policy, msg]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(policy);
    expect(res.stderr).toMatch(/acton/);
  });
});
