/**
 * One `hostname` setting names us everywhere: the greeting, our Received: line and the DSNs
 * (Reporting-MTA, MAILER-DAEMON@); by default the machine's fully qualified name.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFullyQualified, machineFqdn } from '../../src/config/machine-name.js';
import { serviceSchema } from '../../src/config/service-schema.js';
import { plainMessage, RawSmtp, startRelay, startSink, type Relay, type Sink } from '../fronts/smtp/harness.js';

let sink: Sink;
let relay: Relay;

beforeAll(async () => {
  sink = await startSink();
  relay = await startRelay(sink.port, { hostname: 'relay.example.org' });
});
afterAll(async () => {
  await relay?.stop();
  await sink?.close();
});

describe('hostname', () => {
  it("defaults to the machine's fully qualified name (what hostname --fqdn says)", () => {
    const fqdn = execFileSync('hostname', ['--fqdn'], { encoding: 'utf8' }).trim();
    expect(machineFqdn()).toBe(fqdn);
    expect(serviceSchema.parse({}).hostname).toBe(fqdn);
    expect(isFullyQualified('mail.example.org')).toBe(true);
    expect(isFullyQualified('vm')).toBe(false);
  });

  it('names the greeting, the Received: line and the bounce', async () => {
    sink.rcptReply = (rcpt) => (rcpt === 'nobody@example.com' ? 550 : null);
    const { client, greeting } = await RawSmtp.open(relay.port);
    expect(greeting.text).toMatch(/^relay\.example\.org ESMTP/);
    const reply = await client.send('alex.smith@met.police.uk', ['nobody@example.com'], plainMessage({ subject: 'bounce-me-1' }));
    client.close();
    expect(reply.code).toBe(250);
    const [dsn] = (await sink.waitFor(1)).filter((m) => m.mailFrom === '');
    const text = dsn!.raw.toString('latin1');
    expect(text).toMatch(/^From: Mail Delivery System <MAILER-DAEMON@relay\.example\.org>/m);
    expect(text).toMatch(/^Reporting-MTA: dns; ?relay\.example\.org/m);

    const { client: again } = await RawSmtp.open(relay.port);
    expect((await again.send('alex.smith@met.police.uk', ['partner@example.com'], plainMessage({ subject: 'named-1' }))).code).toBe(250);
    again.close();
    const delivered = (await sink.waitFor(2)).find((m) => m.raw.includes('named-1'));
    expect(delivered!.raw.toString('latin1')).toMatch(/^Received: from client\.test \(\[127\.0\.0\.1\]\) by relay\.example\.org \(mailwarden\)/);
  });
});
