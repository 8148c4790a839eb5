import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAccepted, sendHeld, sendRejected, startDashboardRelay, type DashboardRelay } from './relay-support.js';

function value(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('/metrics of the running service', () => {
  let r: DashboardRelay;
  beforeAll(async () => {
    r = await startDashboardRelay();
  }, 60_000);
  afterAll(() => r.close());

  it('counters and histograms move by the right amounts after a small load; no addresses or subjects in labels', async () => {
    const scrape = async () => {
      const res = await fetch(`${r.url}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const before = await scrape();
    const port = r.relay.port;
    const replies = await Promise.all([sendAccepted(port), sendAccepted(port), sendAccepted(port), sendHeld(port, 'weekend'), sendHeld(port, 'plans'), sendRejected(port)]);
    expect(replies.filter((x) => x.startsWith('250')).length).toBe(5);
    expect(replies.filter((x) => x.startsWith('550')).length).toBe(1);
    await r.sink.waitFor(3);
    // The deliver worker counts after the upstream's reply: give it a moment.
    let after = await scrape();
    for (let i = 0; i < 50 && value(after, 'mailwarden_deliveries_total', 'outcome="delivered"') - value(before, 'mailwarden_deliveries_total', 'outcome="delivered"') < 3; i++) {
      await new Promise((res) => setTimeout(res, 100));
      after = await scrape();
    }
    const delta = (name: string, labels = '') => value(after, name, labels) - value(before, name, labels);
    expect(delta('mailwarden_messages_total', 'decision="accept"')).toBe(3);
    expect(delta('mailwarden_messages_total', 'decision="quarantine"')).toBe(2);
    expect(delta('mailwarden_messages_total', 'decision="reject"')).toBe(1);
    expect(delta('mailwarden_rule_findings_total', 'rule="personal-brevity"')).toBe(2);
    expect(delta('mailwarden_rule_findings_total', 'rule="executable-content"')).toBe(1);
    expect(delta('mailwarden_smtp_replies_total', 'code="250"')).toBe(5);
    expect(delta('mailwarden_smtp_replies_total', 'code="550"')).toBe(1);
    expect(delta('mailwarden_deliveries_total', 'outcome="delivered"')).toBe(3);
    expect(delta('mailwarden_inspection_seconds_count')).toBe(6);
    expect(delta('mailwarden_spool_commit_seconds_count')).toBe(5);
    expect(delta('mailwarden_delivery_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'mailwarden_held_messages')).toBe(2);
    expect(after).toMatch(/mailwarden_queue_jobs\{queue="quarantine",state="waiting"\} 2/);
    expect(after).toMatch(/mailwarden_queue_oldest_job_age_seconds\{queue="deliver"\} /);
    expect(after).toMatch(/mailwarden_process_cpu_seconds_total/);
    expect(after).not.toContain('@');
    expect(after).not.toContain('weekend');
    // The Grafana dashboard under deploy/ asks only for metrics that exist.
    const grafana = readFileSync('deploy/grafana/dashboards/mailwarden.json', 'utf8');
    const asked = new Set([...grafana.matchAll(/mailwarden_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(asked.size).toBeGreaterThan(10);
    for (const name of asked) expect(after, name).toContain(name);
  }, 60_000);
});
