// Report strings are escaped, end to end: markup from an experiment file and from a user's
// server (its stderr becomes the point's failure reason) reaches report.html only as text.
// The report's own unit test (report/report.test.ts) covers every field with a hand-made run;
// this one goes through the real CLI, the local runtime and a real server process.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeExperiment } from '../fixtures/cli.js';
import { records } from '../faults/helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FROM_SERVER = `<script>alert("srv")</script><img src=x onerror=alert(1)>`;
const FROM_FILE = `</script><script>alert("exp")</script><img src=y onerror=alert(2)>`;

/** the page without the inlined vega libraries */
const page = (html: string) => html.replace(/<script data-lib="[^"]*" data-version="[^"]*">[\s\S]*?<\/script>/g, '');

describe('report strings', () => {
  it('markup from the experiment file and from the server is escaped in report.html', async () => {
    const serverJs = `console.error(${JSON.stringify(FROM_SERVER)}); process.exit(3)`;
    const file = writeExperiment(work, 'hostile', `name: hostile
description: ${JSON.stringify(FROM_FILE)}
server: { command: [node, -e, ${JSON.stringify(serverJs)}, "{port}"], readyTimeout: 5s }
sweep: { threads: [1] }
workload: { mix: put, fileSize: 4KiB, connections: 1, warmup: 0s, duration: 200ms }
`);
    const out = path.join(work, 'hostile-out');
    const r = await runCli(['run', file, '--runtime', 'local', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    const [rec] = records(out);
    expect(rec!.failure).toContain(FROM_SERVER);

    const html = page(readFileSync(path.join(out, 'report.html'), 'utf8'));
    for (const bad of ['<script>alert', '<img src=x', '<img src=y']) expect(html).not.toContain(bad);
    expect(html).toContain('&lt;script&gt;alert(&quot;srv&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(');
    expect(html).toContain('&lt;img src=y onerror=alert(2)&gt;');
    // the only <script> elements are the report's own
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toMatch(/^<script( type="application\/json"( id="report-data"| class="chart-spec")| data-lib="[a-z-]+" data-version="[\d.]+")?>$/);
    // no element carries an event handler
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
  });
});
