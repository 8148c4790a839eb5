/**
 * Shared test set-up for content analysis: a validated policy, a real TempArea, blobs from bytes.
 */
import { createHash } from 'node:crypto';
import { policySchema } from '../../src/config/policy-schema.js';
import { analyseContent, type ContentReport } from '../../src/message/content/analyse.js';
import { HEAD_BYTES, type PartBlob } from '../../src/message/content/blob.js';
import type { ParseOptions } from '../../src/message/parse-options.js';
import { TempArea } from '../../src/message/temp-area.js';

export const LEVELS = [
  { name: 'NOT PROTECTIVELY MARKED', rank: 0 },
  { name: 'UNCLASSIFIED', rank: 0 },
  { name: 'OFFICIAL', rank: 0 },
  { name: 'PROTECT', rank: 1 },
  { name: 'RESTRICTED', rank: 2 },
  { name: 'OFFICIAL-SENSITIVE', rank: 2 },
  { name: 'CONFIDENTIAL', rank: 3 },
  { name: 'SECRET', rank: 4 },
  { name: 'TOP SECRET', rank: 5 },
];

export const LABEL_GUID = '0f3c5c6a-1b2d-4e5f-8a9b-123456789abc';

export function makeOptions(archive: Record<string, number> = {}, inspection: Record<string, unknown> = {}): ParseOptions {
  const policy = policySchema.parse({
    domains: {},
    markings: { levels: LEVELS, purviewLabels: { [LABEL_GUID]: 'OFFICIAL-SENSITIVE', 'MPS Secret Label': 'SECRET' } },
    inspection: { ...inspection, archive },
  });
  return { inspection: policy.inspection, markings: policy.markings };
}

/** Default options, built once (building them validates a whole policy). */
export const OPTIONS = makeOptions();

export function blobOf(bytes: Buffer): PartBlob {
  return {
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    head: bytes.subarray(0, HEAD_BYTES),
    buffer: bytes,
    path: null,
  };
}

/** Analyse bytes as a top-level attachment with a fresh TempArea (disposed afterwards). */
export async function analyse(
  bytes: Buffer,
  name: string | null,
  options: ParseOptions = OPTIONS,
  blob: PartBlob = blobOf(bytes),
): Promise<ContentReport> {
  const temp = new TempArea('', options.inspection.tempQuotaBytes);
  try {
    return await analyseContent(
      { blob, name, declaredType: 'application/octet-stream', id: '2', location: [name ?? 'part'], depth: 0 },
      { options, temp },
    );
  } finally {
    await temp.dispose();
  }
}
