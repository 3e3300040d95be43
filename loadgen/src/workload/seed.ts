// Seed pass: PUT every name of the workload once, so GETs find their files and the verify
// pass can demand that every name exists.
import { makeBody } from './body.js';
import { failureLine, httpRequest, labClient, pool } from './http.js';
import { SEQ_SEED, type SeedResult, type WorkloadSpec } from './job.js';
import { allNames } from './names.js';

export async function seedFiles(target: URL, w: WorkloadSpec): Promise<SeedResult> {
  const started = performance.now();
  const names = allNames(w, w.connections);
  const limit = Math.min(w.connections, w.client.seedConnections);
  const client = labClient(target, w, limit);
  const failures: string[] = [];
  try {
    await pool(names, limit, async (name, i) => {
      try {
        const reply = await httpRequest(client, 'PUT', `/${name}`, makeBody(name, w.seed, SEQ_SEED + i, w.fileSize));
        if (reply.status !== 200 && reply.status !== 201) failures.push(`PUT /${name} answered ${reply.status}`);
      } catch (err) {
        failures.push(failureLine(`PUT /${name}`, err));
      }
    });
  } finally {
    client.agent.destroy();
  }
  return { phase: 'seed', files: names.length, durationS: (performance.now() - started) / 1000, failures: failures.slice(0, 10) };
}
