import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, startSink, type Relay, type Sink } from '../fronts/smtp/harness.js';
import { freePort } from '../service/service-process.js';

describe('the dashboard as a part of the service', () => {
  const running: (Relay | Sink)[] = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await ('stop' in r ? r.stop() : r.close());
  });

  it('--role dashboard runs the dashboard alone: no SMTP front, /readyz reports Redis', async () => {
    const sink = await startSink();
    running.push(sink);
    const relay = await startRelay(sink.port, { role: 'dashboard' });
    running.push(relay);
    expect(relay.service.smtpAddress).toBeNull();
    const url = `http://127.0.0.1:${relay.service.dashboardAddress!.port}`;
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ ok: true, parts: { redis: true } });
    expect((await fetch(`${url}/quarantine`, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('--role smtp serves /metrics on metrics.listen, with the bearer token when one is set', async () => {
    const sink = await startSink();
    running.push(sink);
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'mw-token-'));
    running.push({ close: () => rm(dir, { recursive: true, force: true }) } as unknown as Sink);
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'scrape-secret\n');
    const relay = await startRelay(sink.port, { role: 'smtp', metrics: { listen: `127.0.0.1:${port}`, tokenFile } });
    running.push(relay);
    expect(relay.service.dashboardAddress).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('mailwarden_queue_jobs');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
