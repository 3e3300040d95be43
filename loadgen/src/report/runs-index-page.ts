// DIR/index.html: one offline page listing the runs under DIR, no script at all.
import type { Finding } from '../analysis/findings.js';
import { codeWords, dirtyWords, shortCommit, type Checkout, type CodeStatus } from './code-version.js';
import { escapeHtml } from './html.js';
import { STYLE } from './page.js';
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
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>speedlab runs — ${escapeHtml(input.title)}</title>
<style>${STYLE}${INDEX_STYLE}</style>
</head>
<body>
<header>
<h1>speedlab runs — ${escapeHtml(input.title)}</h1>
<p class="subtitle">${input.runs.length} run${input.runs.length === 1 ? '' : 's'}, newest first: ${counts}. Generated ${escapeHtml(input.generatedAt.toISOString())}.</p>
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
`;
}

const HEADERS = ['run', 'started', 'runtime', 'engines', 'expectations', 'headline finding', 'code'];

function runsTable(runs: readonly IndexedRun[]): string {
  const head = HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = runs.map((run) => {
    const cls = run.status.kind === 'changed' ? 'code-stale' : `code-${run.status.kind}`;
    return `<tr class="${cls}">${runRow(run).map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return `<table class="runs"><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

function runRow(run: IndexedRun): string[] {
  return [
    runCell(run),
    run.startedAt ? `<time datetime="${escapeHtml(run.startedAt)}">${escapeHtml(readableDate(run.startedAt))}</time>` : '–',
    escapeHtml(run.runtime ?? '–'),
    run.engines === null ? '–' : escapeHtml(run.engines.join(', ') || '–'),
    expectationsCell(run.expectations),
    headlineCell(run),
    codeCell(run),
  ];
}

function runCell(run: IndexedRun): string {
  const name = `<strong>${escapeHtml(run.name)}</strong>`;
  const link = run.hasReport
    ? `<a href="${escapeHtml(`${encodeURIComponent(run.dir)}/report.html`)}">${name}</a>`
    : `${name} <span class="warn">(no report.html: run <code>speedlab report</code> on it)</span>`;
  const dir = run.dir === run.name ? '' : ` <span class="numbers">${escapeHtml(run.dir)}/</span>`;
  const description = run.description ? `<div class="description">${escapeHtml(run.description)}</div>` : '';
  const warnings = run.warnings.map((w) => `<div class="warn numbers">${escapeHtml(w)}</div>`).join('');
  return `${link}${dir}${description}${warnings}`;
}

function expectationsCell({ passed, total }: IndexedRun['expectations']): string {
  if (total === 0) return '<span class="numbers">none</span>';
  return `<span class="${passed === total ? 'ok' : 'bad'}">${passed} of ${total} passed</span>`;
}

function headlineCell(run: IndexedRun): string {
  if (run.points === null) return '–';
  if (!run.headline) return 'Nothing stands out.';
  const cls = findingClass(run.headline);
  return cls ? `<span class="${cls}">${escapeHtml(run.headline.text)}</span>` : escapeHtml(run.headline.text);
}

/** as the report's findings list colours them */
function findingClass(f: Finding): string {
  if (f.kind === 'expectation') return f.passed ? 'ok' : 'bad';
  return f.level === 'info' ? '' : f.level;
}

function codeCell(run: IndexedRun): string {
  const commit = run.code ? `<code title="${escapeHtml(codeWords(run.code))}">${escapeHtml(shortCommit(run.code.commit))}</code> ` : '';
  const notes: string[] = [];
  if (run.code?.dirty) notes.push(`${dirtyWords()} at run time`);
  if (run.code?.resumedWith?.length) notes.push(`resumed with ${run.code.resumedWith.map((c) => shortCommit(c.commit)).join(', ')}`);
  return `${commit}${badges(run.status)}${notes.map((n) => `<div class="warn numbers">${escapeHtml(n)}</div>`).join('')}`;
}

function badges(status: CodeStatus): string {
  if (status.kind === 'current') return '<span class="badge current">current</span>';
  if (status.kind === 'unknown') return `<span class="badge unknown">unknown (${escapeHtml(status.why)})</span>`;
  return [status.server && 'server changed since', status.load && 'load path changed since']
    .filter((t): t is string => typeof t === 'string')
    .map((t) => `<span class="badge stale">${t}</span>`)
    .join(' ');
}

function countStatuses(runs: readonly IndexedRun[]): string {
  const n = (kind: CodeStatus['kind']) => runs.filter((r) => r.status.kind === kind).length;
  return `${n('current')} current, ${n('changed')} with code changed since, ${n('unknown')} unknown`;
}

function checkoutWords(checkout: Checkout | undefined): string {
  if (!checkout) return '<span class="warn">No git checkout to compare with here: the code of every run is unknown.</span>';
  const c = checkout.code;
  const dirty = c.dirty ? ` <span class="warn">It has ${escapeHtml(dirtyWords())}, which no commit shows.</span>` : '';
  return `Code compared with the checkout's HEAD, commit <code>${escapeHtml(shortCommit(c.commit))}</code> (tree of <code>server/</code> <code>${escapeHtml(shortCommit(c.paths.server))}</code>, of the load path <code>${escapeHtml(shortCommit(c.paths.load))}</code>).${dirty}`;
}

/** "2026-11-26T07:36:58.907Z" -> "2026-11-26 07:36 UTC" */
function readableDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const INDEX_STYLE = `
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
`;
