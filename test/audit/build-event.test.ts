import { describe, expect, it } from 'vitest';
import { auditEventId, decisionEvent, lifecycleEvent } from '../../src/audit/build-event.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import type { Attachment, InspectedMessage } from '../../src/message/model.js';
import type { RuledFinding } from '../../src/policy/verdict.js';
import { makeSidecar } from '../spool/sidecar-factory.js';

const finding: RuledFinding = {
  rule: 'executable-content',
  reason: 'tool.exe is a Windows program',
  policyRef: 'WMP Inf/27 2.5.1',
  evidence: ['tool.exe (application/x-msdownload)'],
  action: 'reject',
  excepted: false,
};

const attachment: Attachment = {
  id: '2/tool.zip/tool.exe',
  location: ['tool.zip', 'tool.exe'],
  origin: 'member',
  depth: 1,
  name: 'tool.exe',
  rawName: null,
  nameTricks: [],
  declaredType: '',
  disposition: null,
  contentId: null,
  size: 4096,
  sha256: 'c'.repeat(64),
  detected: { mime: 'application/x-msdownload', ext: 'exe', family: 'executable', macros: false, encrypted: false, basis: 'magic' },
  unscannable: null,
  markings: [],
};

const message = {
  headers: { fields: [], get: () => undefined, getAll: () => [], count: () => 0, has: () => false },
  subject: 'Tools',
  messageId: '<m1@example.gov.uk>',
  from: [],
  to: [],
  cc: [],
  bcc: [],
  size: 9000,
  sha256: 'd'.repeat(64),
  bodyText: '',
  attachments: [attachment],
  encryption: null,
  markings: [],
  anomalies: [],
  attachedMessages: [],
} satisfies InspectedMessage;

describe('audit events', () => {
  const sidecar = makeSidecar('01jabcdefgq123456789', {
    size: 9000,
    sha256: 'd'.repeat(64),
    verdict: { decision: 'reject', personal: false, marking: null, encrypted: false, findings: [finding], policyVersion: 'p'.repeat(64), monitorMode: false },
  });

  it('a decision event carries who, what, the findings and the attachments with their true types', () => {
    const e = decisionEvent(sidecar, message);
    expect(e).toMatchObject({
      eventId: 'decision-01jabcdefgq123456789',
      type: 'decision',
      at: sidecar.receivedAt,
      ref: sidecar.id,
      messageId: '<m1@example.gov.uk>',
      sha256: 'd'.repeat(64),
      size: 9000,
      subject: 'Quarterly report',
      decision: 'reject',
      policyVersion: 'p'.repeat(64),
      actor: 'system',
      envelope: { clientAddress: '127.0.0.1', helo: 'ws1.example.gov.uk', mailFrom: 'alice@example.gov.uk' },
      findings: [finding],
    });
    expect(e.attachments).toEqual([
      { name: 'tool.exe', location: 'tool.zip > tool.exe', detectedType: 'application/x-msdownload (.exe)', sha256: 'c'.repeat(64), size: 4096 },
    ]);
    // Built again (a producer retry), it is the same event: the writer dedupes on eventId.
    expect(canonicalJson(decisionEvent(sidecar, message))).toBe(canonicalJson(e));
    expect(decisionEvent(sidecar, { attachments: [] }, 'reviewer').actor).toBe('reviewer');
  });

  it('lifecycle events get derived ids that are also valid job ids', () => {
    const e = lifecycleEvent(sidecar, 'deferred', { at: '2025-03-04T10:05:00Z', discriminator: 'attempt:2', reason: '421 busy' });
    expect(e.eventId).toBe('deferred-01jabcdefgq123456789-attempt_2');
    expect(e).toMatchObject({ type: 'deferred', reason: '421 busy', actor: 'system', at: '2025-03-04T10:05:00Z' });
    expect('recipients' in e).toBe(false);
    expect(auditEventId('released', 'x1', 1741082700000)).toBe('released-x1-1741082700000');
  });

  it('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"z":1}]},"b":1}');
  });
});
