// Seed pass: PUT every name of the workload once, so GETs find their files and the verify
// pass can demand that every name exists.
import http from 'node:http';
import { makeBody } from './body.js';
import { failureLine, httpRequest, pool } from './http.js';
import { SEQ_SEED, type SeedResult, type WorkloadSpec } from './job.js';
import { allNames } from './names.js';

export async function seedFiles(target: URL, w: WorkloadSpec): Promise<SeedResult> {
  const started = performance.now();
  const names = allNames(w.seed, w.files, w.connections);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.min(w.connections, 16) });
  const failures: string[] = [];
  try {
    await pool(names, Math.min(w.connections, 16), async (name, i) => {
      try {
        const reply = await httpRequest(agent, target, 'PUT', `/${name}`, w.timeoutS * 1000, makeBody(name, w.seed, SEQ_SEED + i, w.fileSize));
        if (reply.status !== 200 && reply.status !== 201) failures.push(`PUT /${name} answered ${reply.status}`);
      } catch (err) {
        failures.push(failureLine(`PUT /${name}`, err));
      }
    });
  } finally {
    agent.destroy();
  }
  return { phase: 'seed', files: names.length, durationS: (performance.now() - started) / 1000, failures: failures.slice(0, 10) };
}
