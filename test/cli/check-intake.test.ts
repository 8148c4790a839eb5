/**
 * `mailwarden check` takes the same intake as the relay: line endings and NUL bytes normalised
 * (or refused, per the policy), the size counted after normalisation, the time limit of
 * inspection.timeoutMs (exit 3), and a check that throws reported on stderr with its stack.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { checkErrorText, checkMessage, EXIT_TIMEOUT } from '../../src/cli/check.js';
import { buildPolicy, defaultPolicyPath, loadPolicy } from '../../src/config/load-policy.js';
import type { Policy } from '../../src/config/policy-schema.js';
import type { Check } from '../../src/policy/check.js';
import { CHECKS } from '../../src/policy/checks/index.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'src', 'cli', 'main.ts');
const fixtures = join(root, 'fixtures');
const policy = await loadPolicy(defaultPolicyPath());
const target = { from: 'marcus.webb@met.police.uk', to: ['k.brennan@brennan-associates.co.uk'] };

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function policyWith(override: (doc: Record<string, Record<string, unknown>>) => void): Promise<{ policy: Policy; file: string }> {
  const doc = parseYaml(await readFile(defaultPolicyPath(), 'utf8')) as Record<string, Record<string, unknown>>;
  override(doc);
  const dir = await mkdtemp(join(tmpdir(), 'mw-check-intake-'));
  dirs.push(dir);
  const file = join(dir, 'policy.yaml');
  await writeFile(file, stringifyYaml(doc));
  return { policy: buildPolicy(doc, file), file };
}

function check(bytes: Buffer | string, p: Policy = policy) {
  return checkMessage(Readable.from([Buffer.from(bytes)]), p, target);
}

const plain = (body: string) => `From: marcus.webb@met.police.uk\r\nTo: k.brennan@brennan-associates.co.uk\r\nSubject: Note\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`;

async function mailwarden(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [main, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('check takes the intake', () => {
  it('sees the program behind a delimiter line ended by a bare CR, as the relay does', async () => {
    const { verdict, message } = await check(await readFile(join(fixtures, 'intake', 'boundary-behind-bare-cr.eml')));
    expect(verdict.decision).toBe('reject');
    expect(verdict.findings.map((f) => f.rule)).toEqual(['executable-content']);
    expect(message.attachments.map((a) => a.name)).toContain('viewer.exe');
  });

  it('inspects the normalised bytes: bare CR/LF made CRLF, NULs deleted, a missing last CRLF added', async () => {
    const input = 'From: a@met.police.uk\nTo: b@met.police.uk\rSubject: x\r\n\nhel\0lo\r\nlast line';
    const normalised = 'From: a@met.police.uk\r\nTo: b@met.police.uk\r\nSubject: x\r\n\r\nhello\r\nlast line\r\n';
    const { message, verdict } = await check(input);
    expect(verdict.decision).toBe('accept');
    expect(message.size).toBe(normalised.length);
    expect(message.bodyText).toContain('hello');
    const direct = await check(normalised);
    expect(message.sha256).toBe(direct.message.sha256);
  });

  it('refuses bare line endings and NULs when the policy says reject, naming the setting', async () => {
    const { policy: strict } = await policyWith((d) => {
      d['inspection'] = { ...d['inspection'], bareLineEndings: 'reject', nulBytes: 'reject' };
    });
    const bare = await check(plain('one\ntwo'), strict);
    expect(bare.refusal).toEqual({ kind: 'bare-line-ending' });
    expect(bare.verdict.decision).toBe('reject');
    expect(bare.verdict.findings[0]?.reason).toMatch(/inspection\.bareLineEndings/);
    const nul = await check(plain('one\0two'), strict);
    expect(nul.refusal).toEqual({ kind: 'nul-byte' });
    expect(nul.verdict.findings[0]).toMatchObject({ rule: 'malformed', action: 'reject' });
    expect(nul.verdict.findings[0]?.reason).toMatch(/inspection\.nulBytes/);
    expect((await check(plain('one\r\ntwo'), strict)).verdict.decision).toBe('accept');
  });

  it('counts the size after normalisation and refuses past rules.message-size.maxBytes, reading the rest', async () => {
    const { policy: small } = await policyWith((d) => {
      const rules = d['rules'] as Record<string, Record<string, unknown>>;
      rules['message-size'] = { ...rules['message-size'], maxBytes: 3000 };
    });
    const head = plain('');
    // 2,600 bytes as sent, 3,600 once every bare LF has its CR.
    const grows = head + 'a\n'.repeat(Math.floor((2600 - head.length) / 2));
    const r = await check(grows, small);
    expect(r.refusal).toMatchObject({ kind: 'too-big', limit: 3000 });
    expect(r.verdict.decision).toBe('reject');
    expect(r.verdict.findings.map((f) => f.rule)).toEqual(['message-size']);
    expect((await check(plain('a'.repeat(20_000)), small)).refusal).toEqual({ kind: 'too-big', size: 20_000 + head.length, limit: 3000 });
    // Monitor mode or a softer action cannot keep what the intake did not read: still a reject.
    const { policy: monitor } = await policyWith((d) => {
      d['mode'] = 'monitor' as never;
      const rules = d['rules'] as Record<string, Record<string, unknown>>;
      rules['message-size'] = { ...rules['message-size'], maxBytes: 3000 };
    });
    expect((await check(grows, monitor)).verdict.decision).toBe('reject');
  });

  it('reports a check that throws with its rule and stack, and holds the message', async () => {
    const broken: Check = {
      id: 'mass-mail',
      policyRef: 'test',
      run() {
        throw new Error('index out of range in the recipient counter');
      },
    };
    const lines: string[] = [];
    const { verdict } = await checkMessage(Readable.from([Buffer.from(plain('hello'))]), policy, target, {
      checks: [...CHECKS.filter((c) => c.id !== 'mass-mail'), broken],
      onCheckError: (rule, err) => lines.push(checkErrorText(rule, 'note.eml', err)),
    });
    expect(verdict.decision).toBe('quarantine');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mailwarden check: the mass-mail check failed on note\.eml; its finding holds the message for review\n/);
    expect(lines[0]).toMatch(/Error: index out of range in the recipient counter\n\s+at \S*run \(.*check-intake\.test\.ts/);
  });
});

describe('mailwarden check and the time limit', () => {
  it(`exits ${EXIT_TIMEOUT} naming inspection.timeoutMs when inspection runs past it`, async () => {
    const { file: policyFile } = await policyWith((d) => {
      d['inspection'] = { ...d['inspection'], timeoutMs: 1 };
    });
    const dir = dirs[dirs.length - 1]!;
    const eml = join(dir, 'big.eml');
    const body = Buffer.alloc(3_000_000, 'q').toString('base64').replace(/(.{76})/g, '$1\r\n');
    await writeFile(eml, plain(body));
    const res = await mailwarden(['check', '--config', policyFile, eml]);
    expect(res.code).toBe(EXIT_TIMEOUT);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`no verdict for ${eml}: inspection ran past 1 ms (inspection.timeoutMs in ${policyFile})`);
    const ok = await mailwarden(['check', eml]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Decision: ACCEPT/);
  });
});
