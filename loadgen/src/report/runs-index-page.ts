// DIR/index.html: one offline page listing the runs under DIR, no script at all.
import { codeWords, dirtyWords, shortCommit, type Checkout, type CodeStatus } from './code-version.js';
import { html, joinHtml, raw, type Html, type HtmlValue } from './html-template.js';
import { STYLE } from './page.js';
import { headlineHtml } from './sections.js';
import type { IndexedRun } from './runs-index.js';

interface RunsIndexInput {
  /** the indexed directory's name, for the title */
  title: string;
  runs: IndexedRun[];
  checkout: Checkout | undefined;
  generatedAt: Date;
}

export function renderRunsIndex(input: RunsIndexInput): string {
  const counts = countStatuses(input.runs);
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>speedlab runs — ${input.title}</title>
<style>${STYLE}${INDEX_STYLE}</style>
</head>
<body>
<header>
<h1>speedlab runs — ${input.title}</h1>
<p class="subtitle">${input.runs.length} run${input.runs.length === 1 ? '' : 's'}, newest first: ${counts}. Generated ${input.generatedAt.toISOString()}.</p>
<p>${checkoutWords(input.checkout)}</p>
<p class="legend"><span class="badge current">current</span> the run's <code>server/</code> and load path (<code>loadgen/src/workload</code>) are those of the checkout's HEAD.
<span class="badge stale">server changed since</span> <span class="badge stale">load path changed since</span> that code changed after the run's commit: the run may not describe today's code.
<span class="badge unknown">unknown</span> no commit recorded, or nothing to compare it with.</p>
</header>
<section id="runs">
${runsTable(input.runs)}
</section>
</body>
</html>
`.toString();
}

const HEADERS = ['run', 'started', 'runtime', 'engines', 'expectations', 'headline finding', 'code'];

function runsTable(runs: readonly IndexedRun[]): Html {
  const head = HEADERS.map((h) => html`<th>${h}</th>`);
  const body = runs.map((run) => {
    const cls = run.status.kind === 'changed' ? 'code-stale' : `code-${run.status.kind}`;
    return html`<tr class="${cls}">${runRow(run).map((cell) => html`<td>${cell}</td>`)}</tr>`;
  });
  return html`<table class="runs"><thead><tr>${head}</tr></thead><tbody>\n${joinHtml(body, '\n')}\n</tbody></table>`;
}

function runRow(run: IndexedRun): HtmlValue[] {
  return [
    runCell(run),
    run.startedAt ? html`<time datetime="${run.startedAt}">${readableDate(run.startedAt)}</time>` : '–',
    run.runtime ?? '–',
    run.engines === null ? '–' : run.engines.join(', ') || '–',
    expectationsCell(run.expectations),
    headlineCell(run),
    codeCell(run),
  ];
}

function runCell(run: IndexedRun): Html {
  const name = html`<strong>${run.name}</strong>`;
  const link = run.hasReport
    ? html`<a href="${`${encodeURIComponent(run.dir)}/report.html`}">${name}</a>`
    : html`${name} <span class="warn">(no report.html: run <code>speedlab report</code> on it)</span>`;
  const dir = run.dir === run.name ? '' : html` <span class="numbers">${run.dir}/</span>`;
  const description = run.description ? html`<div class="description">${run.description}</div>` : '';
  const warnings = run.warnings.map((w) => html`<div class="warn numbers">${w}</div>`);
  return html`${link}${dir}${description}${warnings}`;
}

function expectationsCell({ passed, total }: IndexedRun['expectations']): Html {
  if (total === 0) return html`<span class="numbers">none</span>`;
  return html`<span class="${passed === total ? 'ok' : 'bad'}">${passed} of ${total} passed</span>`;
}

function headlineCell(run: IndexedRun): HtmlValue {
  if (run.points === null) return '–';
  if (!run.headline) return 'Nothing stands out.';
  return headlineHtml(run.headline);
}

function codeCell(run: IndexedRun): Html {
  const commit = run.code ? html`<code title="${codeWords(run.code)}">${shortCommit(run.code.commit)}</code> ` : '';
  const notes: string[] = [];
  if (run.code?.dirty) notes.push(`${dirtyWords()} at run time`);
  if (run.code?.resumedWith?.length) notes.push(`resumed with ${run.code.resumedWith.map((c) => shortCommit(c.commit)).join(', ')}`);
  return html`${commit}${badges(run.status)}${notes.map((n) => html`<div class="warn numbers">${n}</div>`)}`;
}

function badges(status: CodeStatus): Html {
  if (status.kind === 'current') return html`<span class="badge current">current</span>`;
  if (status.kind === 'unknown') return html`<span class="badge unknown">unknown (${status.why})</span>`;
  return joinHtml([status.server && 'server changed since', status.load && 'load path changed since']
    .filter((t): t is string => typeof t === 'string')
    .map((t) => html`<span class="badge stale">${t}</span>`), ' ');
}

function countStatuses(runs: readonly IndexedRun[]): string {
  const n = (kind: CodeStatus['kind']) => runs.filter((r) => r.status.kind === kind).length;
  return `${n('current')} current, ${n('changed')} with code changed since, ${n('unknown')} unknown`;
}

function checkoutWords(checkout: Checkout | undefined): Html {
  if (!checkout) return html`<span class="warn">No git checkout to compare with here: the code of every run is unknown.</span>`;
  const c = checkout.code;
  const dirty = c.dirty ? html` <span class="warn">It has ${dirtyWords()}, which no commit shows.</span>` : '';
  return html`Code compared with the checkout's HEAD, commit <code>${shortCommit(c.commit)}</code> (tree of <code>server/</code> <code>${shortCommit(c.paths.server)}</code>, of the load path <code>${shortCommit(c.paths.load)}</code>).${dirty}`;
}

/** "2026-11-26T07:36:58.907Z" -> "2026-11-26 07:36 UTC" */
function readableDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const INDEX_STYLE = raw(`
table.runs { font-size: 13px; width: 100%; }
table.runs td { padding: 4px 6px; }
tr.code-stale td { background: #fff6e5; }
tr.code-unknown td { background: #f6f6f6; }
.description { color: #555; margin-top: .15rem; }
.badge { display: inline-block; border-radius: 3px; padding: 0 .4em; font-size: .85em; font-weight: 600; white-space: nowrap; border: 1px solid; }
.badge.current { color: #1b6e1b; background: #eaf6ea; border-color: #9fcf9f; }
.badge.stale { color: #8a3b00; background: #ffe3c2; border-color: #e0a060; }
.badge.unknown { color: #555; background: #eee; border-color: #bbb; }
.legend { color: #555; font-size: .9em; }
`, 'the constant stylesheet: its quotes are CSS, not text');
