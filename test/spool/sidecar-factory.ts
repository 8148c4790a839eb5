/** A complete, plausible sidecar for spool and audit tests. */
import type { Sidecar } from '../../src/spool/types.js';

export function makeSidecar(id: string, over: Partial<Sidecar> = {}): Sidecar {
  return {
    id,
    receivedAt: '2025-03-04T10:00:00.000Z',
    envelope: {
      mailFrom: 'alice@example.gov.uk',
      rcptTo: ['bob@partner.example', 'carol@example.gov.uk'],
      clientAddress: '127.0.0.1',
      helo: 'ws1.example.gov.uk',
    },
    size: 0,
    sha256: '',
    messageId: '<m1@example.gov.uk>',
    subject: 'Quarterly report',
    verdict: {
      decision: 'accept',
      personal: false,
      marking: null,
      encrypted: false,
      findings: [],
      policyVersion: 'a'.repeat(64),
      monitorMode: false,
    },
    addHeaders: ['X-Mailwarden-Decision: accept'],
    state: 'queued',
    outcomes: [],
    ...over,
  };
}
