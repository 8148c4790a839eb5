/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core. A message the
 * relay held (sent over SMTP here) is found, opened and released with a reason; it arrives at
 * the upstream sink and the release shows in the audit view. A hostile subject stays text; a
 * viewer sees no release button and a forged release is refused. Screenshots of each page go to
 * test-output/browser/ (gitignored), or to MAILWARDEN_SCREENSHOTS when set.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './support.js';
import { sendAccepted, sendHeld, sendRejected, startDashboardRelay, type DashboardRelay } from './relay-support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = process.env.MAILWARDEN_SCREENSHOTS ?? join(process.cwd(), 'test-output', 'browser');
const HOSTILE_SUBJECT = `Weekend <script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`;

describe('dashboard in a real browser (chromium)', () => {
  let r: DashboardRelay;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    profile = await mkdtemp(join(tmpdir(), 'mw-chromium-'));
    r = await startDashboardRelay();
    // A fresh profile directory (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await r?.close();
    await rm(profile, { recursive: true, force: true });
  });

  async function logIn(name: string): Promise<Page> {
    await browser.clearCookies(); // one profile: each user starts logged out
    const page = await browser.newPage();
    page.on('dialog', (d) => void d.accept()); // our confirm() prompts
    await page.goto(`${r.url}/quarantine`);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=username]', name);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/quarantine$/, { timeout: 5000 }).catch(async (err: unknown) => {
      console.log('login did not land:', page.url(), (await page.content()).slice(0, 3000));
      throw err;
    });
    return page;
  }

  it('a reviewer finds a held message, releases it with a reason; it is delivered and audited; hostile text stays text', async () => {
    const port = r.relay.port;
    expect(await sendHeld(port, HOSTILE_SUBJECT)).toMatch(/^250 .*Held for review ref (\S+)/);
    await Promise.all([sendAccepted(port), sendRejected(port), sendHeld(port, 'second held note')]);
    await r.sink.waitFor(1);
    const page = await logIn('rita');
    await page.goto(`${r.url}/`);
    await page.screenshot({ path: join(OUT, 'overview.png'), fullPage: true });

    await page.goto(`${r.url}/quarantine?sender=alex.smith`);
    const row = page.locator('tr', { hasText: 'Weekend <script>' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('a.subject').textContent()).toContain(`[Personal] ${HOSTILE_SUBJECT}`);
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('tbody script, tbody img').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'quarantine.png'), fullPage: true });

    await row.locator('a.subject').click();
    await page.waitForURL(/\/quarantine\/[a-z0-9]+$/);
    const id = page.url().split('/').at(-1)!;
    expect(await page.locator('h1').textContent()).toContain('<script>');
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('text=personal-brevity').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, 'held-message.png'), fullPage: true });

    const delivered = r.sink.messages.length;
    await page.fill('form[action$="/release"] input[name=reason]', 'approved by line manager');
    await page.click('form[action$="/release"] button[type=submit]');
    await page.waitForURL(/notice=/);
    expect(await page.locator('.notice').textContent()).toContain('Released');
    const arrived = await r.sink.waitFor(delivered + 1);
    expect(arrived.some((m) => m.raw.toString().includes('Weekend <script>'))).toBe(true);
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('#state').textContent();
      }, { timeout: 15_000 })
      .toContain('released and delivered');
    expect(await page.locator('#review').textContent()).toContain('Released by rita');
    await page.screenshot({ path: join(OUT, 'released.png'), fullPage: true });

    await expect
      .poll(async () => {
        await page.goto(`${r.url}/audit/message/${id}`);
        return page.locator('table.timeline').textContent();
      }, { timeout: 15_000 })
      .toMatch(/released[\s\S]*rita[\s\S]*approved by line manager[\s\S]*delivered/);
    await page.screenshot({ path: join(OUT, 'timeline.png'), fullPage: true });
    await page.goto(`${r.url}/audit?type=released`);
    expect(await page.locator('table.audit').textContent()).toContain('approved by line manager');
    expect(await page.locator('#chain').textContent()).toContain('Hash chain verified');
    await page.screenshot({ path: join(OUT, 'audit.png'), fullPage: true });
    await page.goto(`${r.url}/queues`);
    await page.waitForSelector('text=deliver', { timeout: 15_000 });
    await page.screenshot({ path: join(OUT, 'queues.png') });
    await page.close();
  }, 120_000);

  it('a viewer sees no release button, and a forged release request is refused', async () => {
    const page = await logIn('vera');
    const row = page.locator('tr', { hasText: 'second held note' });
    await expect.poll(() => row.count()).toBe(1);
    await row.locator('a.subject').click();
    await page.waitForURL(/\/quarantine\/[a-z0-9]+$/);
    const id = page.url().split('/').at(-1)!;
    expect(await page.locator('button', { hasText: 'Release' }).count()).toBe(0);
    expect(await page.locator('form[action$="/release"]').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'viewer-held-message.png'), fullPage: true });
    // Forged from the viewer's own page, with her valid CSRF token: the role decides, on the server.
    const csrf = await page.inputValue('input[name=_csrf]');
    const status = await page.evaluate(async ({ target, csrf }) => {
      const res = await fetch(`/quarantine/${target}/release`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${encodeURIComponent(csrf)}&reason=forged`,
        redirect: 'manual',
      });
      return res.status;
    }, { target: id, csrf });
    expect(status).toBe(403);
    await page.reload();
    expect(await page.locator('#state').textContent()).toContain('held for review');
    await page.close();
  }, 60_000);
});
