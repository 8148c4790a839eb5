/**
 * Hostile input: mutated containers and garbage must come back as a report (unscannable at worst), quickly,
 * never as an exception or a hang. Mutations use a seeded generator so that a failure can be replayed.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyseContent } from '../../src/message/content/analyse.js';
import { TempArea } from '../../src/message/temp-area.js';
import { biffWorkbook, cfbFile, customXml, docSummaryWithCustom, ooxml, outlookMsg, peFile, tnefStream, wordFib, zip } from './builders.js';
import { analyse, blobOf, OPTIONS } from './helpers.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hostile input', () => {
  it('survives mutated containers of every kind', async () => {
    const seeds: [string, Buffer][] = [
      ['a.msg', outlookMsg({ subject: 'RESTRICTED', body: 'x', attachments: [{ name: 'a.exe', data: peFile() }] })],
      ['winmail.dat', tnefStream({ subject: 's', attachments: [{ name: 'a.txt', data: Buffer.from('abc') }] })],
      ['z.zip', await zip({ 'a.txt': 'hello world', 'b/c.exe': peFile(), 'd.zip': await zip({ 'e.js': 'x' }) })],
      ['d.docx', await ooxml('docx', { 'docProps/custom.xml': customXml({ Classification: 'SECRET' }) })],
      ['o.doc', cfbFile({ WordDocument: wordFib(), '\u0005DocumentSummaryInformation': docSummaryWithCustom({ Classification: 'SECRET' }) })],
      ['x.xls', cfbFile({ Workbook: biffWorkbook({ macroSheet: true }) })],
      ['g.gz', gzipSync(Buffer.from('hello'.repeat(1000)))],
    ];
    const random = prng(20240601);
    let slowest = 0;
    for (let round = 0; round < 40; round += 1) {
      for (const [name, seed] of seeds) {
        const bytes = Buffer.from(seed);
        const edits = 1 + Math.floor(random() * 16);
        for (let i = 0; i < edits; i += 1) {
          const at = Math.floor(random() * (bytes.length - 4));
          if (random() < 0.5) bytes[at] = Math.floor(random() * 256);
          else bytes.writeUInt32LE(Math.floor(random() * 0xffffffff) >>> 0, at);
        }
        const input = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        const started = performance.now();
        const report = await analyse(input, name);
        slowest = Math.max(slowest, performance.now() - started);
        expect(report.detected.family).toBeTypeOf('string');
      }
    }
    expect(slowest).toBeLessThan(1000);
  });

  it('rejects only when the inspection is aborted', async () => {
    const temp = new TempArea('', OPTIONS.inspection.tempQuotaBytes);
    try {
      const controller = new AbortController();
      controller.abort(new Error('inspection time limit'));
      const bytes = await zip({ 'a.txt': 'x' });
      await expect(
        analyseContent(
          { blob: blobOf(bytes), name: 'a.zip', declaredType: '', id: '1', location: ['a.zip'], depth: 0 },
          { options: { ...OPTIONS, signal: controller.signal }, temp },
        ),
      ).rejects.toThrow('inspection time limit');
    } finally {
      await temp.dispose();
    }
  });

  it('reports content that is not available as unscannable', async () => {
    const bytes = await zip({ 'a.txt': 'x' });
    const report = await analyse(bytes, 'a.zip', undefined, { ...blobOf(bytes), buffer: null, path: null });
    expect(report.unscannable).toMatch(/content not available/);
  });
});
