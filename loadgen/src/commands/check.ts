// speedlab check FILE | speedlab check [--image IMAGE] -- CMD ARGS…: starts a server as a run
// would and probes it in stages (check/stages.ts), then prints a checklist, the verdict and the
// client settings that suit it. Exit 0 when the lab can measure it, 1 when not, 2 for usage.
import { experimentProbe, probeServer } from '../check/probe.js';
import { LAB_DEFAULTS, settingsText } from '../results/client-settings.js';
import { STAGE_TITLES } from '../check/stages.js';
import { verdict, type CheckedStage, type ThreadsCheck } from '../check/verdict.js';
import { resolveDisk } from '../disk/presets.js';
import { loadExperiment } from '../experiment/load.js';
import type { ServerImpl, ServerSpec } from '../runtime/types.js';
import { CHECK } from './definitions.js';
import { createRuntime, type RuntimeChoice } from '../api/runtime-choice.js';
import { cleanUpThenExitOnSignals } from './signals.js';

interface Args { spec: Omit<ServerSpec, 'threads'>; threads: number[]; runtime: RuntimeChoice; readyTimeoutS: number; describe: string }

function parse(argv: string[]): Args | undefined {
  const args = CHECK.parse(argv);
  if (!args) return undefined;
  const { values, operands: positionals, rest: command } = args;
  const { runtime } = values;
  const threadsGiven = values.threads?.split(',').map((t) => Number(t.trim()));
  if (threadsGiven && threadsGiven.some((t) => !Number.isInteger(t) || t < 1)) throw CHECK.fail(`--threads: '${values.threads}' is not a list of whole numbers ≥ 1 (e.g. 1,8)`);
  const base = { lock: 'file', logWrite: 'reserved', sync: 'none', log: 'full', disk: resolveDisk('ram'), runId: `check${Date.now().toString(36)}${process.pid.toString(36)}` } as const;

  if (command) {
    if (positionals.length) throw CHECK.fail('give either FILE or -- CMD ARGS…, not both', true);
    if (command.length === 0) throw CHECK.fail("nothing after --: give your server's command line, e.g. -- ./httpserver {port} -N {threads} -l {log}");
    if (!command.some((a) => a.includes('{port}'))) throw CHECK.fail(`the command has no {port}: the lab picks the port and must tell your server (e.g. -- ${command.join(' ')} {port})`);
    const impl: ServerImpl = values.image ? { kind: 'image', image: values.image, command } : { kind: 'command', command };
    return { spec: { ...base, impl }, threads: unique(threadsGiven ?? [1, 8]), runtime, readyTimeoutS: 10, describe: `${values.image ? `${values.image}: ` : ''}${command.join(' ')}` };
  }
  if (positionals.length === 0) throw CHECK.fail('missing FILE (an experiment), or -- CMD ARGS… (your server\'s command line)', true);
  if (values.image) throw CHECK.fail('--image goes with -- CMD ARGS…; an experiment names its image in server: image:', true);
  const file = positionals[0]!;
  const exp = loadExperiment(file);
  const probe = experimentProbe(exp, base.runId);
  const impl = exp.server.impl;
  return {
    spec: probe.spec,
    threads: unique(threadsGiven ?? probe.threads),
    runtime, readyTimeoutS: exp.server.readyTimeoutS,
    describe: `${file}: ${impl.kind === 'reference' ? 'the reference server' : `${impl.kind === 'image' ? `${impl.image}: ` : ''}${impl.command.join(' ')}`}`,
  };
}

function unique(threads: number[]): number[] {
  return [...new Set(threads)].sort((a, b) => a - b);
}

function stageLines(s: CheckedStage): string[] {
  const mark = s.status === 'passed' ? '✓' : s.status === 'note' ? '!' : '✗';
  const out = [`  ${mark} ${STAGE_TITLES[s.id]}`];
  if (s.status === 'passed') return out;
  if (s.sent) out.push(`      sent:     ${s.sent}`);
  if (s.received) out.push(`      received: ${s.received}`);
  if (s.problem) out.push(`      what:     ${s.problem}`);
  if (s.death) out.push(`      server:   ${s.death}`);
  if (s.hint) out.push(`      hint:     ${s.hint}`);
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) return 0;
  const startedAt = Date.now();
  const runtime = await createRuntime(args.runtime, { readyTimeoutS: args.readyTimeoutS }, args.spec.impl.kind !== 'image', () => {});
  // containers outlive the process: Ctrl-C removes them first (local servers get the terminal's signal themselves)
  const releaseSignals = runtime.name === 'docker' ? cleanUpThenExitOnSignals(() => runtime.cleanup(args.spec.runId)) : undefined;
  const settings = structuredClone(LAB_DEFAULTS);
  const runs: ThreadsCheck[] = [];
  try {
    runs.push(...await probeServer(runtime, args.spec, args.threads, settings));
  } finally {
    await runtime.cleanup(args.spec.runId);
    releaseSignals?.();
  }
  const v = verdict(runs);

  const out = [`speedlab check: ${args.describe} (${runtime.name} runtime)`];
  for (const run of runs) {
    out.push(`with -N ${run.threads}:`);
    if (run.startFailure) out.push(`  ✗ the server starts`, `      what:     ${run.startFailure}`);
    for (const s of run.stages) out.push(...stageLines(s));
    if (run.stages.length === 1 && run.threads !== runs[0]!.threads && run.stages[0]!.status !== 'failed') out.push('    (at this -N only the first stage: it starts and answers)');
  }
  out.push('');
  if (v.measurable) out.push('verdict: the lab can measure this server');
  else out.push('verdict: the lab cannot measure this server as it is:', ...v.blocking.map((b) => `  - ${b}`));
  out.push(`client settings that suit it: ${settingsText(v.settings)}`);
  out.push(`(check took ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  console.log(out.join('\n'));
  return v.measurable ? 0 : 1;
}
