import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { listAuditFiles } from '../../src/audit/audit-files.js';
import { lifecycleEvent, decisionEvent } from '../../src/audit/build-event.js';
import { auditKeys } from '../../src/audit/redis-chain.js';
import { searchAudit, csvRow } from '../../src/dashboard/audit-search.js';
import { ChainStatus } from '../../src/dashboard/chain-status.js';
import { makeSidecar } from '../spool/sidecar-factory.js';
import { silent } from '../workers/support.js';
import { dashboardRig, heldFinding, HOSTILE, login, type DashboardRig, type Session } from './support.js';

describe('audit views', () => {
  let rig: DashboardRig;
  let viewer: Session;
  let writer: AuditWriter;
  const dir = () => rig.config.audit.dir;

  beforeAll(async () => {
    rig = await dashboardRig();
    viewer = await login(rig.app, 'vera');
    writer = new AuditWriter({ dir: dir(), redis: rig.redis, prefix: rig.prefix, logger: silent });
    for (let i = 0; i < 12; i++) {
      const s = makeSidecar(`ref${String(i).padStart(3, '0')}x`, {
        receivedAt: new Date(Date.now() - (12 - i) * 60_000).toISOString(),
        subject: i === 3 ? `=cmd|' /C calc'!A0 ${HOSTILE}` : `Report ${i}`,
        envelope: { mailFrom: i % 2 ? 'odd@example.gov.uk' : 'even@example.gov.uk', rcptTo: [`to${i}@partner.example`], clientAddress: '127.0.0.1' },
        verdict: { decision: i % 3 === 0 ? 'quarantine' : 'accept', personal: false, marking: null, encrypted: false, findings: i % 3 === 0 ? [heldFinding('mass-mail')] : [], policyVersion: 'p', monitorMode: false },
      });
      await writer.append(decisionEvent(s, { attachments: [] }));
      if (i === 6) await writer.append(lifecycleEvent(s, 'released', { actor: 'rita', reason: 'approved', discriminator: 1 }));
    }
    // Keep only the newest 5 in the stream: the rest must come from the daily files.
    await rig.redis.xtrim(auditKeys(rig.prefix).stream, 'MAXLEN', 5);
  }, 30_000);
  afterAll(() => rig.close());

  it('searches the stream and the files without duplicates, by sender, rule, decision, ref', async () => {
    const opts = { redis: rig.redis, prefix: rig.prefix, dir: dir() };
    const all = await searchAudit({}, opts);
    expect(all.records.map((r) => r.seq)).toEqual([...Array(13).keys()].map((i) => 13 - i));
    expect(all.sources.stream).toBe(5);
    expect(all.sources.files.length).toBeGreaterThan(0);
    expect((await searchAudit({ sender: 'ODD@' }, opts)).records).toHaveLength(6);
    expect((await searchAudit({ rule: 'mass-mail' }, opts)).records).toHaveLength(4);
    expect((await searchAudit({ decision: 'quarantine', type: 'decision' }, opts)).records).toHaveLength(4);
    expect((await searchAudit({ ref: 'ref006x' }, opts)).records.map((r) => r.type).sort()).toEqual(['decision', 'released']);
    expect((await searchAudit({ from: Date.now() + 86_400_000 }, opts)).records).toHaveLength(0);
    const limited = await searchAudit({}, { ...opts, limit: 3 });
    expect(limited.records).toHaveLength(3);
    expect(limited.more).toBe(true);
  });

  it('renders the search escaped, exports CSV (formula-safe) and JSON Lines, and a timeline', async () => {
    const page = await rig.app.inject({ url: '/audit?sender=odd', headers: { cookie: viewer.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;');
    expect(page.body).toContain('Hash chain verified: 13 records');
    const csv = await rig.app.inject({ url: '/audit/export?format=csv&sender=odd', headers: { cookie: viewer.cookie } });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="mailwarden-audit-.*\.csv"/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,type,ref/);
    expect(lines).toHaveLength(1 + 6);
    expect(csv.body).toContain(`"'=cmd|`); // a formula is defused
    const jsonl = await rig.app.inject({ url: '/audit/export?format=jsonl&type=released', headers: { cookie: viewer.cookie } });
    const rows = jsonl.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor: string });
    expect(rows).toEqual([expect.objectContaining({ type: 'released', actor: 'rita' })]);
    const timeline = await rig.app.inject({ url: '/audit/message/ref006x', headers: { cookie: viewer.cookie } });
    expect(timeline.body).toMatch(/decision[\s\S]*released[\s\S]*rita/);
    expect(csvRow({ seq: 1, at: 'x', type: 'decision', ref: 'r', prevHash: '', hash: '', eventId: 'e', subject: '@SUM(1)' })).toContain(`"'@SUM(1)"`);
  });

  it('verifies the chain incrementally: a second check reads only the new records; tampering is caught', async () => {
    const chain = new ChainStatus({ dir: dir(), redis: rig.redis, prefix: rig.prefix, key: null, maxAgeMs: 0 });
    const first = await chain.get();
    expect(first).toMatchObject({ ok: true, records: 13, readThisTime: 13 });
    for (let i = 0; i < 3; i++) await writer.append(lifecycleEvent(makeSidecar(`late${i}x`), 'expired', { discriminator: i }));
    const second = await chain.get();
    expect(second).toMatchObject({ ok: true, records: 16, readThisTime: 3 });
    const cached = await new ChainStatus({ dir: dir(), redis: rig.redis, prefix: rig.prefix, key: null, maxAgeMs: 60_000 });
    await cached.get();
    expect((await cached.get()).readThisTime).toBe(0);

    const [file] = await listAuditFiles(dir());
    const path = join(dir(), file!);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('Report 1"', 'Report X"'));
    const fresh = await new ChainStatus({ dir: dir(), redis: rig.redis, prefix: rig.prefix, key: null }).get();
    expect(fresh.ok).toBe(false);
    expect(fresh.problem).toMatch(/hash does not match/);
  });
});

describe('overview', () => {
  let rig: DashboardRig;
  beforeAll(async () => {
    rig = await dashboardRig();
  }, 30_000);
  afterAll(() => rig.close());

  it('charts decisions per hour by outcome and rule from the counts the dispatcher keeps; labels are escaped', async () => {
    const s = makeSidecar('ovw001x', { verdict: { decision: 'reject', personal: false, marking: null, encrypted: false, findings: [heldFinding(`${HOSTILE}`)], policyVersion: 'p', monitorMode: false } });
    const event = { ...decisionEvent(s, { attachments: [] }), at: new Date().toISOString() };
    await rig.dispatcher.audit(event);
    await rig.dispatcher.audit({ ...event, eventId: 'e2', decision: 'accept', findings: [] });
    await new Promise((r) => setTimeout(r, 200)); // counted best effort, after the add
    const hours = await rig.dispatcher.stats.hours(1);
    expect(hours[0]!.counts).toMatchObject({ 'type:decision': 2, 'decision:reject': 1, 'decision:accept': 1, [`rule:${HOSTILE}`]: 1 });
    const admin = await login(rig.app, 'adam');
    const page = await rig.app.inject({ url: '/', headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('Decisions per hour, last 24 hours');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;');
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from elsewhere
  });
});
