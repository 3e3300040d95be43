// speedlab check FILE | speedlab check [--image IMAGE] -- CMD ARGS…: starts a server as a run
// would and probes it in stages (check/stages.ts), then prints a checklist, the verdict and the
// client settings that suit it. Exit 0 when the lab can measure it, 1 when not, 2 for usage.
import { parseArgs } from 'node:util';
import { experimentProbe, probeServer } from '../check/probe.js';
import { LAB_DEFAULTS, settingsText } from '../results/client-settings.js';
import { STAGE_TITLES } from '../check/stages.js';
import { verdict, type CheckedStage, type ThreadsCheck } from '../check/verdict.js';
import { resolveDisk } from '../disk/presets.js';
import { CliError } from '../errors.js';
import { loadExperiment } from '../experiment/load.js';
import type { ServerImpl, ServerSpec } from '../runtime/types.js';
import { RUNTIME_CHOICES, createRuntime, type RuntimeChoice } from './runtime-choice.js';

const USAGE = `usage: speedlab check FILE [--runtime auto|local|docker]
       speedlab check [--threads LIST] [--image IMAGE] [--runtime …] -- CMD ARGS…
  FILE: an experiment whose server: is a command: or an image: (or the reference server)
  CMD ARGS: your server's command line with {port}, {threads} and {log} placeholders, e.g.
            speedlab check -- ./httpserver {port} -N {threads} -l {log}
  --threads LIST  the -N values to start it with, lowest first (default 1,8; FILE: the sweep's lowest and highest)
  --image IMAGE   run CMD in this Docker image (the docker runtime)
exit 0: the lab can measure it (with the client settings printed); 1: it cannot; 2: usage`;

interface Args { spec: Omit<ServerSpec, 'threads'>; threads: number[]; runtime: RuntimeChoice; readyTimeoutS: number; describe: string }

function parse(argv: string[]): Args | undefined {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  let values: { runtime?: string; threads?: string; image?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: own, allowPositionals: true,
      options: { runtime: { type: 'string' }, threads: { type: 'string' }, image: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) return undefined;
  const runtime = (values.runtime ?? 'auto') as RuntimeChoice;
  if (!RUNTIME_CHOICES.includes(runtime)) throw new CliError(`--runtime: '${values.runtime}' is not one of ${RUNTIME_CHOICES.join(', ')}\n${USAGE}`, 2);
  const threadsGiven = values.threads?.split(',').map((t) => Number(t.trim()));
  if (threadsGiven && threadsGiven.some((t) => !Number.isInteger(t) || t < 1)) throw new CliError(`--threads: '${values.threads}' is not a list of whole numbers ≥ 1 (e.g. 1,8)\n${USAGE}`, 2);
  const base = { lock: 'file', logWrite: 'reserved', sync: 'none', log: 'full', disk: resolveDisk('ram'), runId: `check${Date.now().toString(36)}${process.pid.toString(36)}` } as const;

  if (dash >= 0) {
    if (positionals.length) throw new CliError(`give either FILE or -- CMD ARGS…, not both\n${USAGE}`, 2);
    if (command.length === 0) throw new CliError(`nothing after --: give your server's command line, e.g. -- ./httpserver {port} -N {threads} -l {log}\n${USAGE}`, 2);
    if (!command.some((a) => a.includes('{port}'))) throw new CliError(`the command has no {port}: the lab picks the port and must tell your server (e.g. -- ${command.join(' ')} {port})\n${USAGE}`, 2);
    const impl: ServerImpl = values.image ? { kind: 'image', image: values.image, command } : { kind: 'command', command };
    return { spec: { ...base, impl }, threads: unique(threadsGiven ?? [1, 8]), runtime, readyTimeoutS: 10, describe: `${values.image ? `${values.image}: ` : ''}${command.join(' ')}` };
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 2);
  if (values.image) throw new CliError(`--image goes with -- CMD ARGS…; an experiment names its image in server: image:\n${USAGE}`, 2);
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
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = Date.now();
  const runtime = await createRuntime(args.runtime, { readyTimeoutS: args.readyTimeoutS }, args.spec.impl.kind !== 'image', () => {});
  const settings = structuredClone(LAB_DEFAULTS);
  const runs: ThreadsCheck[] = [];
  try {
    runs.push(...await probeServer(runtime, args.spec, args.threads, settings));
  } finally {
    await runtime.cleanup(args.spec.runId);
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
