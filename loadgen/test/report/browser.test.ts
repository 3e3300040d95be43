// Opens generated reports in Debian's chromium, offline: every non-file request is blocked and
// counted, every chart must draw marks, and the console must stay free of errors.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeComparison, writeReport } from '../../src/report/index.js';
import { knownRun, point, runInfo, tempDir, writeRun } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

interface Visit {
  page: Page;
  blocked: string[];
  consoleErrors: string[];
}

describe.skipIf(!existsSync(CHROMIUM))('report in a browser', () => {
  let browser: Browser;
  let dir: string;
  const visits: Visit[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    dir = await tempDir('speedlab-report-browser-');
  });

  afterAll(async () => {
    for (const v of visits) await v.page.close().catch(() => undefined);
    await browser?.close();
  });

  async function open(url: string, javaScriptEnabled = true): Promise<Visit> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const visit: Visit = { page, blocked: [], consoleErrors: [] };
    visits.push(visit);
    await context.route('**/*', (route) => {
      const requestUrl = route.request().url();
      if (requestUrl.startsWith('file:')) return route.continue();
      visit.blocked.push(requestUrl);
      return route.abort('blockedbyclient');
    });
    page.on('console', (msg) => { if (msg.type() === 'error') visit.consoleErrors.push(msg.text()); });
    page.on('pageerror', (err) => visit.consoleErrors.push(err.message));
    await page.goto(url, { waitUntil: 'load' });
    return visit;
  }

  /** Per chart: how many data marks its live (vega-embed) SVG drew. */
  async function liveMarks(page: Page): Promise<Record<string, number>> {
    await page.waitForSelector('body[data-charts="done"]', { timeout: 30_000 });
    return page.$$eval('figure.chart', (figures) =>
      Object.fromEntries(figures.map((f) => [f.id, f.getAttribute('data-rendered') === 'live' ? f.querySelectorAll('.chart-live svg g.role-mark > *').length : -1])),
    );
  }

  test('a run report renders every chart offline, without console errors or requests', async () => {
    const runDir = await writeRun(join(dir, 'run'), knownRun(), runInfo({ name: 'evil <script>alert(1)</script>' }));
    const { htmlPath } = await writeReport(runDir);
    const visit = await open(pathToFileURL(htmlPath).href);
    const marks = await liveMarks(visit.page);
    expect(Object.keys(marks).sort()).toEqual(['chart-cpu', 'chart-device-writes', 'chart-errors', 'chart-latency', 'chart-speedup', 'chart-throughput-mbps', 'chart-throughput-rps']);
    for (const [id, count] of Object.entries(marks)) expect(count, id).toBeGreaterThan(0);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.blocked).toEqual([]);
    expect(await visit.page.evaluate(() => (window as unknown as { alerted?: boolean }).alerted ?? false)).toBe(false);
    expect(await visit.page.title()).toBe('speedlab report — evil <script>alert(1)</script>');
    const shots = join(dir, 'screenshots');
    await mkdir(shots, { recursive: true });
    await visit.page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
    console.log(`screenshot: ${join(shots, 'report.png')}`);
  });

  test('without JavaScript, every chart is a server-rendered SVG with marks', async () => {
    const runDir = await writeRun(join(dir, 'nojs'), knownRun());
    const { htmlPath } = await writeReport(runDir);
    const visit = await open(pathToFileURL(htmlPath).href, false);
    const staticMarks = await visit.page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('.chart-static svg');
        const box = svg?.getBoundingClientRect();
        return { visible: !!box && box.width > 100 && box.height > 100, marks: f.querySelectorAll('.chart-static svg g.role-mark > *').length };
      }),
    );
    expect(staticMarks).toHaveLength(7);
    for (const s of staticMarks) expect(s).toMatchObject({ visible: true });
    for (const s of staticMarks) expect(s.marks).toBeGreaterThan(0);
    expect(visit.blocked).toEqual([]);
  });

  test('the live charts\' linear axes: 0 for a RAM disk\'s device rate, no padding zeros', async () => {
    const points = knownRun().filter((p) => p.params.disk === 'ram').map((p) => ({ ...p, deviceWriteBytes: 0, serverCpuCores: 0.15 * p.params.threads }));
    const { htmlPath } = await writeReport(await writeRun(join(dir, 'axes'), points, runInfo({ name: 'axes' })));
    const visit = await open(pathToFileURL(htmlPath).href);
    await liveMarks(visit.page);
    const labels = (chart: string, title: string) => visit.page.$$eval(`#chart-${chart} .chart-live g.role-axis`, (axes, t) => {
      const axis = axes.find((a) => a.querySelector('.role-axis-title text')?.textContent === t);
      return axis ? Array.from(axis.querySelectorAll('.role-axis-label text'), (e) => e.textContent) : null;
    }, title);
    expect(await labels('device-writes', 'device writes (MB/s)')).toEqual(['0']);
    expect(await labels('errors', 'errors (all repetitions)')).toEqual(['0']);
    const cpu = await labels('cpu', 'CPU (cores)');
    expect(cpu?.[0]).toBe('0');
    expect(cpu).toContain('0.5');
    for (const label of cpu ?? []) expect(label).not.toMatch(/\.\d*0$/);
    expect(visit.consoleErrors).toEqual([]);
  });

  test('a comparison renders every chart, the ratio chart included', async () => {
    const a = await writeRun(join(dir, 'a'), knownRun(), runInfo({ name: 'before' }));
    const faster = knownRun().map((p) => ({ ...p, requestsPerS: p.requestsPerS * 1.5 }));
    const b = await writeRun(join(dir, 'b'), faster, runInfo({ name: 'after' }));
    const { htmlPath } = await writeComparison(a, b, join(dir, 'compare.html'));
    const visit = await open(pathToFileURL(htmlPath).href);
    const marks = await liveMarks(visit.page);
    expect(Object.keys(marks)).toContain('chart-ratios');
    for (const [id, count] of Object.entries(marks)) expect(count, id).toBeGreaterThan(0);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.blocked).toEqual([]);
    await visit.page.screenshot({ path: join(dir, 'screenshots', 'compare.png'), fullPage: true });
  });

  test('a run whose points all failed still opens cleanly', async () => {
    const failed = [point({ threads: 1 }, { outcome: 'failed', failure: 'server <b>died</b>' })];
    const { htmlPath } = await writeReport(await writeRun(join(dir, 'failed'), failed));
    const visit = await open(pathToFileURL(htmlPath).href);
    await visit.page.waitForSelector('body[data-charts="done"]');
    expect(await visit.page.locator('#points td', { hasText: 'server <b>died</b>' }).count()).toBe(1);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.blocked).toEqual([]);
  });
});
