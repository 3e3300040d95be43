// Hostile strings in every page the lab writes (report.html, the runs index, the comparison),
// read back from the real files: an experiment's name and description, a series' name (its disk),
// a failure's hint, an expectation (the headline). They reach the pages as text only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeComparison, writeReport, writeRunsIndex } from '../../src/report/index.js';
import { point, removeTempDirs, runInfo, series, tempDir, writeRun } from './fixtures.js';

afterAll(removeTempDirs);

const IMG = '<img src=x onerror=alert(1)>';
const CLOSE = '</script><script>alert(2)</script>';
const IMG_TEXT = '&lt;img src=x onerror=alert(1)&gt;';
const CLOSE_TEXT = '&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;';
const CLOSE_JSON = '\\u003c/script\\u003e\\u003cscript\\u003ealert(2)\\u003c/script\\u003e';

/** the page without the inlined vega libraries: what the lab itself wrote */
const own = (page: string) => page.replace(/<script data-lib="[a-z-]+" data-version="[\d.]+">[\s\S]*?<\/script>/g, '');

function expectOnlyText(page: string): void {
  expect(page).not.toContain('<img');
  expect(page).not.toContain('<script>alert');
  // no element carries an event handler
  expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
  // every <script> is the page's own, and each ends at its own </script>
  const opens = page.match(/<script\b[^>]*>/g) ?? [];
  for (const tag of opens) expect(tag).toMatch(/^<script( type="application\/json"( id="report-data"| class="chart-spec"))?>$/);
  expect((page.match(/<\/script>/g) ?? []).length).toBe(opens.length);
}

function hostileRun(name: string) {
  const points = [
    ...series({ params: { disk: `ram${IMG}` }, threads: [1, 2], repetitions: 2, sigma: 0.1, kappa: 0, lambda: 1000 }),
    point({ threads: 4, disk: `ram${IMG}` }, { outcome: 'failed', failure: `server exited with code 1. ${IMG}${CLOSE}` }),
  ];
  const info = runInfo({
    name,
    experiment: { name, description: `${CLOSE}${IMG}` },
    expectations: [{ description: IMG, passed: false, detail: CLOSE }],
  });
  return { points, info };
}

describe('hostile strings in the pages', () => {
  let root: string;

  beforeAll(async () => {
    root = await tempDir('speedlab-escaping-');
    for (const [dir, name] of [['a', `a ${IMG}${CLOSE}`], ['b', `b ${IMG}${CLOSE}`]] as const) {
      const { points, info } = hostileRun(name);
      await writeRun(join(root, dir), points, info);
      await writeReport(join(root, dir));
    }
  });

  test('report.html: the run\'s name, the series, the failure\'s hint and the headline are text; the JSON cannot end its element', async () => {
    const page = await readFile(join(root, 'a', 'report.html'), 'utf8');
    const text = own(page);
    expectOnlyText(text);
    expect(text).toContain(`<title>speedlab report — a ${IMG_TEXT}${CLOSE_TEXT}</title>`);
    expect(text).toContain(`<h1>speedlab report — a ${IMG_TEXT}${CLOSE_TEXT}</h1>`);
    expect(text).toContain(`<p class="headline"><strong>Headline:</strong> <span class="bad">Expectation NOT met: ${IMG_TEXT} — ${CLOSE_TEXT}</span>`);
    expect(text).toContain(`<td>server exited with code 1. ${IMG_TEXT}${CLOSE_TEXT}</td>`);
    expect(text).toContain(`ram${IMG_TEXT}`);
    // the resolved experiment, printed
    expect(text).toContain(`&quot;description&quot;: &quot;${CLOSE_TEXT}${IMG_TEXT}&quot;`);
    // in the data and the specs: the series' name
    expect(text).toContain('ram\\u003cimg src=x onerror=alert(1)\\u003e');
  });

  test('the runs index: name, description and headline are text', async () => {
    const { htmlPath } = await writeRunsIndex(root);
    const page = await readFile(htmlPath, 'utf8');
    expectOnlyText(page);
    expect(page).not.toMatch(/<script/);
    expect(page).toContain(`<strong>a ${IMG_TEXT}${CLOSE_TEXT}</strong>`);
    expect(page).toContain(`<div class="description">${CLOSE_TEXT}${IMG_TEXT}</div>`);
    expect(page).toContain(`<span class="bad">Expectation NOT met: ${IMG_TEXT} — ${CLOSE_TEXT}</span>`);
  });

  test('the comparison: the runs\' labels, in the text and in the ratio chart\'s spec', async () => {
    const { htmlPath } = await writeComparison(join(root, 'a'), join(root, 'b'), join(root, 'compare.html'));
    const page = own(await readFile(htmlPath, 'utf8'));
    expectOnlyText(page);
    expect(page).toContain(`<h1>speedlab comparison — a ${IMG_TEXT}${CLOSE_TEXT} vs b ${IMG_TEXT}${CLOSE_TEXT}</h1>`);
    expect(page).toContain(`<h3>b ${IMG_TEXT}${CLOSE_TEXT}</h3>`);
    expect(page).toContain(`<th>req/s a ${IMG_TEXT}${CLOSE_TEXT}</th>`);
    expect(page).toContain(`<strong>Ratio b ${IMG_TEXT}${CLOSE_TEXT} / a ${IMG_TEXT}${CLOSE_TEXT}.</strong>`);
    expect(page).toContain(CLOSE_JSON);
  });
});
