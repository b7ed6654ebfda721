/**
 * The dashboard page in headless Chromium (Debian's `chromium` through puppeteer-core): it
 * shows services and instances live, instances joining, taking calls and leaving.
 * `MYCEL_UPDATE_SCREENSHOT=1` also writes `docs/dashboard.png`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { connectToServer } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';
import { ROOT, startProcess } from '../helpers/process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('chromium not found: install Debian\'s "chromium" (.ci/run does) or set CHROMIUM_PATH');
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** The rows of the page: `service/client` -> state, calls and sparkline points, as the page shows them. */
function rows(page: Page): Promise<Record<string, { state: string; calls: number; sparkPoints: number }>> {
  // Runs in the page (a string, so the test's types need no DOM library).
  return page.evaluate(`(() => {
    const out = {};
    for (const section of document.querySelectorAll('section[data-service]')) {
      for (const tr of section.querySelectorAll('tbody tr')) {
        const cells = tr.querySelectorAll('td');
        out[section.dataset.service + '/' + cells[0].textContent] = {
          state: tr.dataset.state,
          calls: Number(cells[3].textContent),
          sparkPoints: Number(tr.querySelector('svg').dataset.points),
        };
      }
    }
    return out;
  })()`) as Promise<Record<string, { state: string; calls: number; sparkPoints: number }>>;
}

describe('dashboard', () => {
  it('shows instances as they register, take calls and leave', async () => {
    const hub = await startTestHub({ statusStreamIntervalMs: 200 });
    onTestFinished(() => hub.close());
    const page = await browser.newPage();
    onTestFinished(() => page.close());
    await page.setViewport({ width: 1100, height: 520 });
    await page.goto(`${hub.url}/`);
    await page.waitForFunction(`document.getElementById('conn').textContent === 'live'`, { timeout: 15_000 });
    expect(await page.evaluate(`document.getElementById('empty').textContent`)).toBe('no services in workspace "public"');

    const workers = ['alpha', 'beta'].map((id) => {
      const worker = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: hub.url, WORKER_ID: id, WORKER_TAG: id });
      onTestFinished(() => worker.kill());
      return worker;
    });
    await Promise.all(workers.map((w) => w.waitForLine(/^ready /)));
    await page.waitForFunction(`document.querySelectorAll('tr[data-state="up"]').length === 2`, { timeout: 15_000 });

    const caller = await connectToServer({ server_url: hub.url, reconnect: false });
    onTestFinished(() => caller.disconnect());
    const alpha = await caller.getService<{ echo(x: number): Promise<number> }>('alpha:victim');
    const beta = await caller.getService<{ echo(x: number): Promise<number> }>('beta:victim');
    for (let i = 0; i < 12; i++) await alpha.echo(i);
    for (let i = 0; i < 4; i++) await beta.echo(i);
    await page.waitForFunction(
      `[...document.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td')[3].textContent).join(',') === '12,4'`,
      { timeout: 15_000 },
    );
    const live = await rows(page);
    expect(live).toEqual({
      'victim/alpha': { state: 'up', calls: 12, sparkPoints: 12 },
      'victim/beta': { state: 'up', calls: 4, sparkPoints: 4 },
    });
    expect(await page.evaluate(`document.querySelector('tr[data-instance="public/alpha:victim"] td:nth-child(10)').textContent`)).toBe('75%');
    if (process.env.MYCEL_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: join(ROOT, 'docs/dashboard.png') });

    await workers[1]!.kill();
    await page.waitForFunction(`document.querySelector('tr[data-instance="public/beta:victim"]')?.dataset.state === 'left'`, {
      timeout: 15_000,
    });
    expect((await rows(page))['victim/alpha']?.state).toBe('up');
  }, 60_000);
});
