import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * The simulator in the console, in a real Chromium: the planner starts a small run from Planning > Simulation, sees
 * it finish, and reads the two policies side by side against the targets with the three charts; a bad parameter is
 * shown at its field and starts nothing. Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 30_000;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const runs = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from simulation_runs`)[0]?.n;

describe('the simulation page', () => {
  it('starts a run, follows it to the end and shows the policies side by side with charts', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'planner', 'Demo#2026', '/planning/simulation', WAIT);
    try {
      await page.getByTestId('side-menu').getByTestId('menu-simulation').waitFor({ state: 'attached' });
      // an impossible size is refused at its field, and nothing is stored
      await page.getByTestId('sim-stores').fill('5000');
      await page.getByTestId('sim-start').click();
      await page.getByText('门店数量必须是 1 到 2000 之间的整数').waitFor();
      expect(await runs()).toBe(0);

      const size: [string, string][] = [
        ['days', '90'],
        ['distributors', '3'],
        ['stores', '40'],
        ['skus', '3'],
      ];
      for (const [f, v] of size) await page.getByTestId(`sim-${f}`).fill(v);
      await page.getByTestId('sim-start').click();
      // the refusal's message went with the refusal
      await expect.poll(() => page.getByText('门店数量必须是 1 到 2000 之间的整数').count()).toBe(0);
      const table = page.getByTestId('sim-result');
      await table.waitFor();
      const text = await table.textContent();
      expect(text).toContain('基线（现状）');
      expect(text).toContain('Throughline（拉动式）');
      expect(text).toContain('达标');
      expect(text).toContain('未达标');
      for (const chart of ['sim-chart-stock', 'sim-chart-fill', 'sim-chart-turns'])
        await page.getByTestId(chart).locator('canvas').waitFor();
      expect(await runs()).toBe(1);
      if (process.env.SIM_SHOT) await page.screenshot({ path: process.env.SIM_SHOT, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
