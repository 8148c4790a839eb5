/**
 * Builds the fixture corpus: every case's .eml and fixtures/manifest.yaml.
 * Deterministic: the same sources give the same bytes (tested in test/fixtures-corpus.test.ts).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { archiveCases } from './cases/archive.js';
import { businessCases } from './cases/business.js';
import { cryptoForwardingCases } from './cases/crypto-forwarding.js';
import { encryptionCases } from './cases/encryption.js';
import { executableCases } from './cases/executable.js';
import { forwardingCases } from './cases/forwarding.js';
import { intakeCases } from './cases/intake.js';
import { macroCases } from './cases/macro.js';
import { leavesCases } from './cases/leaves.js';
import { malformedCases } from './cases/malformed.js';
import { markingCases } from './cases/marking.js';
import { markingDocumentCases } from './cases/marking-documents.js';
import { markingLookalikeCases } from './cases/marking-lookalike.js';
import { markingPositionCases } from './cases/markings-positions.js';
import { officeContainerCases } from './cases/office-containers.js';
import { personalCases } from './cases/personal.js';
import { personalAttachmentCases } from './cases/personal-attachments.js';
import { trueTypeCases } from './cases/true-type.js';
import { manifestYaml, type FixtureCase } from './manifest.js';

/** Every case, in manifest order. */
export const ALL_CASES: readonly FixtureCase[] = [
  ...businessCases,
  ...macroCases,
  ...executableCases,
  ...archiveCases,
  ...encryptionCases,
  ...markingCases,
  ...markingDocumentCases,
  ...markingLookalikeCases,
  ...markingPositionCases,
  ...personalCases,
  ...personalAttachmentCases,
  ...officeContainerCases,
  ...forwardingCases,
  ...cryptoForwardingCases,
  ...malformedCases,
  ...intakeCases,
  ...trueTypeCases,
  ...leavesCases,
];

export const MANIFEST_FILE = 'manifest.yaml';

export interface BuildResult {
  readonly files: number;
  readonly bytes: number;
}

function checkCases(cases: readonly FixtureCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.file)) throw new Error(`duplicate fixture file ${c.file}`);
    seen.add(c.file);
    if (!/^[a-z-]+\/[a-z0-9-]+\.eml$/.test(c.file)) throw new Error(`fixture name ${c.file} must be folder/kebab-name.eml`);
    const both = c.expect.rules.filter((r) => c.expect.absent?.includes(r));
    if (both.length) throw new Error(`${c.file}: ${both.join(', ')} both expected and absent`);
  }
}

/** .eml files under `dir`, as paths relative to it with forward slashes. */
async function listEml(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true, encoding: 'utf8' });
  return names.filter((n) => n.endsWith('.eml')).map((n) => n.split('\\').join('/'));
}

/** Writes the corpus into `outDir` and removes .eml files there that no case produces. */
export async function buildFixtures(outDir: string, cases: readonly FixtureCase[] = ALL_CASES): Promise<BuildResult> {
  checkCases(cases);
  await mkdir(outDir, { recursive: true });
  let bytes = 0;
  for (const c of cases) {
    const data = await c.build();
    const target = join(outDir, c.file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    bytes += data.length;
  }
  const wanted = new Set(cases.map((c) => c.file));
  for (const name of await listEml(outDir)) {
    if (!wanted.has(name)) await rm(join(outDir, name));
  }
  await writeFile(join(outDir, MANIFEST_FILE), manifestYaml(cases));
  return { files: cases.length, bytes };
}
