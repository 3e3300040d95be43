// speedlab loadgen --target URL --job JSON: one phase of one point, in its own process.
// Progress goes to stderr; the result is one JSON line on stdout.
import { wrkRefusal } from '../experiment/client.js';
import { parseArgs } from 'node:util';
import { clientSettingsSchema } from '../results/client-settings.js';
import { STAGE_IDS, runStages, type StageId } from '../check/stages.js';
import { CliError } from '../errors.js';
import { jobSchema, type LoadgenJob, type LoadgenResult } from '../workload/job.js';
import { measureCapacity } from '../workload/capacity/capacity.js';
import { runLoad } from '../workload/load.js';
import { runWrkLoad } from '../workload/wrk/run.js';
import { seedFiles } from '../workload/seed.js';
import { verifyFiles } from '../workload/verify.js';

const USAGE = 'usage: speedlab loadgen --target http://127.0.0.1:PORT --job \'<json>\'   (a capacity job needs no --target)';

export async function main(argv: string[]): Promise<number> {
  let values: { target?: string; job?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { target: { type: 'string' }, job: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.job) throw new CliError(USAGE, 2);
  const job = parseJob(values.job);
  if (job.phase === 'capacity') {
    process.stderr.write(`loadgen: capacity of ${job.engine} with ${job.connections} connections\n`);
    const result = await measureCapacity(job.engine, job.connections, job.durationS);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  if (!values.target) throw new CliError(USAGE, 2);
  let url: URL;
  try {
    url = new URL(values.target);
  } catch {
    throw new CliError(`--target: '${values.target}' is not a URL; expected http://127.0.0.1:PORT`, 2);
  }
  process.stderr.write(`loadgen: ${job.phase} against ${url.origin}\n`);
  const target = url;
  if (job.phase === 'check') {
    const stageId = (s: string): StageId => {
      if (!(STAGE_IDS as readonly string[]).includes(s)) throw new CliError(`--job: unknown check stage '${s}'; one of ${STAGE_IDS.join(', ')}`, 2);
      return s as StageId;
    };
    const settings = clientSettingsSchema.safeParse(job.settings);
    if (!settings.success) throw new CliError(`--job: check settings: ${settings.error.issues[0]!.message}`, 2);
    const target = { host: url.hostname, port: Number(url.port) };
    const result = await runStages(target, stageId(job.from), settings.data, { threads: job.threads, logging: job.logging }, job.only?.map(stageId));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  let result: LoadgenResult;
  if (job.phase === 'seed') result = await seedFiles(target, job.workload);
  else if (job.phase === 'verify') result = await verifyFiles(target, job.workload);
  else if (job.engine === 'wrk') {
    if (job.requests !== undefined) throw new CliError('--job: a counted window (requests) needs engine autocannon; wrk measures a duration', 2);
    const refusal = wrkRefusal(job.workload.client);
    if (refusal) throw new CliError(`--job: ${refusal}`, 2);
    const { durationS, seqBase, workload } = job;
    result = await runWrkLoad(target, workload, durationS, seqBase);
  } else result = await runLoad(target, job.workload, job.durationS, job.seqBase, job.requests);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

function parseJob(text: string): LoadgenJob {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--job: not JSON (${(err as Error).message})`, 2);
  }
  const parsed = jobSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new CliError(`--job: field '${first.path.join('.')}': ${first.message}`, 2);
  }
  return parsed.data;
}
