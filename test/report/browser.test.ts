// The HTML report of a real project (real-service this quarter: registry data
// from the loopback registry, last quarter's snapshot, a waiver) in Debian's
// headless Chromium, driven by playwright-core: it must load without a console
// error and without a single request besides the page itself, show its
// charts as images with text alternatives, and print to PDF. Screenshots and
// the PDF go to test-output/report/.
//
// CI installs Chromium (.ci/run), so there a missing browser fails the test;
// elsewhere it is skipped with a message. To refresh the README's picture:
// DEPGUARD_UPDATE_SCREENSHOT=1 vitest run test/report/browser.test.ts
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { runCli, serveRealService } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
const OUTPUT = join(REPO, 'test-output/report');

if (!available && !inCi) console.warn(`skipping the browser test: ${CHROMIUM} is missing (apt-get install -y chromium; CI installs it)`);

let server: TestRegistry;
beforeAll(async () => {
  server = await new TestRegistry().start();
  serveRealService(server);
});
afterAll(() => server.stop());

describe.skipIf(!available && !inCi)('the HTML report in a browser', () => {
  it('loads offline in headless Chromium without errors or requests, with accessible charts, and prints', async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
    mkdirSync(OUTPUT, { recursive: true });
    const dir = tempProject(
      {
        'depguard.config.json': {
          extends: 'recommended',
          checks: { pinning: ['on', { rangesAllowedIn: ['peerDependencies'] }], 'pinning/range': 'high' },
          waivers: [
            { id: 'engines/eol-soon', reason: 'moving to Node.js 24 in Q1 (ENG-311)', expires: '2026-12-15' },
            { id: 'pinning/range', package: 'mocha', reason: 'test runner, pinned by Renovate', expires: '2027-03-31' },
          ],
        },
      },
      fixture('real-service'),
    );
    const page = join(OUTPUT, 'real-service.html');
    const run = await runCli(['report', dir, '--date', '2026-11-27', '--previous', 'fixtures/report/real-service-2026-08-27.json', '--fail-on', 'none', '-o', page], { npm_config_registry: server.url });
    expect(run.code).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);

    const profile = mkdtempSync(join(tmpdir(), 'depguard-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 1500 },
      offline: true,
    });
    try {
      const url = pathToFileURL(page).href;
      const requests: string[] = [];
      const errors: string[] = [];
      await context.route('**/*', async (route) => {
        if (route.request().url() === url) return route.continue();
        requests.push(route.request().url());
        return route.abort();
      });
      const tab = context.pages()[0] ?? (await context.newPage());
      tab.on('request', (request) => {
        if (request.url() !== url) requests.push(request.url());
      });
      tab.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
      });
      tab.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      const response = await tab.goto(url, { waitUntil: 'load' });
      expect(response?.ok() ?? true).toBe(true);

      expect(await tab.title()).toBe('Dependency audit: real-service@3.4.0 (2026-11-27)');
      expect(await tab.locator('h1').allTextContents()).toEqual(['Dependency audit: real-service@3.4.0']);
      expect(await tab.locator('h2').allTextContents()).toEqual([
        'Summary',
        'Since the previous report (2026-08-27)',
        'Findings',
        'Riskiest packages',
        'Waivers',
        'Freshness of direct dependencies',
        'Node.js runway',
        'Inventory',
      ]);
      // Four charts (severity by check, dependency age, trend, Node.js timeline), each an image with a name and a description.
      const charts = await tab.locator('svg[role="img"]').evaluateAll((svgs) =>
        svgs.map((svg) => {
          const [title, desc] = (svg.getAttribute('aria-labelledby') ?? '').split(' ').map((id: string) => svg.ownerDocument.getElementById(id)?.textContent ?? '');
          const box = svg.getBoundingClientRect();
          return { title: title ?? '', desc: desc ?? '', width: Math.round(box.width), height: Math.round(box.height) };
        }),
      );
      expect(charts.map((chart) => chart.title)).toEqual([
        'Findings on 2026-08-27 and 2026-11-27',
        'Unwaived findings by check and severity',
        'Age of the resolved versions of direct dependencies',
        'Node.js release lines from start to end-of-life',
      ]);
      for (const chart of charts) {
        expect(chart.desc.length).toBeGreaterThan(20);
        expect(chart.width).toBeGreaterThan(300);
        expect(chart.height).toBeGreaterThan(50);
      }
      // Every table has a caption and column headers.
      const tables = await tab.locator('table').evaluateAll((nodes) => nodes.map((table) => ({ caption: table.querySelector('caption')?.textContent ?? '', headers: table.querySelectorAll('thead th[scope="col"]').length })));
      expect(tables.length).toBeGreaterThan(10);
      for (const table of tables) {
        expect(table.caption).not.toBe('');
        expect(table.headers).toBeGreaterThan(1);
      }
      expect(await tab.locator('text=pino').first().isVisible()).toBe(true);

      await tab.screenshot({ path: join(OUTPUT, 'real-service-report.png'), fullPage: true });
      if (process.env.DEPGUARD_UPDATE_SCREENSHOT) {
        await tab.screenshot({ path: join(REPO, 'docs/report-screenshot.png'), clip: { x: 0, y: 0, width: 1100, height: 1500 } });
        expect(statSync(join(REPO, 'docs/report-screenshot.png')).size).toBeLessThanOrEqual(300 * 1024);
      }
      // Printed to PDF (what a reviewer files away): the print stylesheet hides the navigation.
      await tab.emulateMedia({ media: 'print' });
      expect(await tab.locator('nav').isVisible()).toBe(false);
      const pdf = await tab.pdf({ path: join(OUTPUT, 'real-service-report.pdf'), format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0).toBeGreaterThan(2);

      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
