// speedlab loadgen --target URL --job JSON: one phase of one point, in its own process.
// Progress goes to stderr; the result is one JSON line on stdout.
import { wrkRefusal } from '../experiment/client.js';
import { clientSettingsSchema } from '../results/client-settings.js';
import { STAGE_IDS, runStages, type StageId } from '../check/stages.js';
import { jobSchema, type LoadgenJob, type LoadgenResult } from '../workload/job.js';
import { measureCapacity } from '../workload/capacity/capacity.js';
import { runLoad } from '../workload/load.js';
import { runWrkLoad } from '../workload/wrk/run.js';
import { seedFiles } from '../workload/seed.js';
import { verifyFiles } from '../workload/verify.js';
import { LOADGEN } from './definitions.js';

export async function main(argv: string[]): Promise<number> {
  const values = LOADGEN.parse(argv)?.values;
  if (!values) return 0;
  if (!values.job) throw LOADGEN.fail('missing --job JSON', true);
  const job = parseJob(values.job);
  if (job.phase === 'capacity') {
    process.stderr.write(`loadgen: capacity of ${job.engine} with ${job.connections} connections\n`);
    const result = await measureCapacity(job.engine, job.connections, job.durationS);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  if (!values.target) throw LOADGEN.fail(`a ${job.phase} job needs --target URL (only a capacity job runs without one)`, true);
  let url: URL;
  try {
    url = new URL(values.target);
  } catch {
    throw LOADGEN.fail(`--target: got '${values.target}'; expected a URL, http://127.0.0.1:PORT`);
  }
  process.stderr.write(`loadgen: ${job.phase} against ${url.origin}\n`);
  const target = url;
  if (job.phase === 'check') {
    const stageId = (s: string): StageId => {
      if (!(STAGE_IDS as readonly string[]).includes(s)) throw LOADGEN.fail(`--job: unknown check stage '${s}'; one of ${STAGE_IDS.join(', ')}`);
      return s as StageId;
    };
    const settings = clientSettingsSchema.safeParse(job.settings);
    if (!settings.success) throw LOADGEN.fail(`--job: check settings: ${settings.error.issues[0]!.message}`);
    const target = { host: url.hostname, port: Number(url.port) };
    const result = await runStages(target, stageId(job.from), settings.data, { threads: job.threads, logging: job.logging }, job.only?.map(stageId));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  let result: LoadgenResult;
  if (job.phase === 'seed') result = await seedFiles(target, job.workload);
  else if (job.phase === 'verify') result = await verifyFiles(target, job.workload);
  else if (job.engine === 'wrk') {
    if (job.requests !== undefined) throw LOADGEN.fail('--job: a counted window (requests) needs engine autocannon; wrk measures a duration');
    const refusal = wrkRefusal(job.workload.client);
    if (refusal) throw LOADGEN.fail(`--job: ${refusal}`);
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
    throw LOADGEN.fail(`--job: not JSON (${(err as Error).message})`, false, { cause: err });
  }
  const parsed = jobSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw LOADGEN.fail(`--job: field '${first.path.join('.')}': ${first.message}`);
  }
  return parsed.data;
}
