// Verify pass, stateless: for every name, GET must return one of the bodies ever PUT to it
// (checked from the body's own header); then a fresh PUT followed by a GET must return exactly
// that fresh body (a server serving stale bytes fails here); HEAD must announce the size.
// A PUT of the load phase may still sit in the server's queue when this starts (its client
// closed the connection after sending all of it, so the server still carries it out) and land
// after the fresh PUT: staleness is a failure only when it outlasts such stragglers.
import { setTimeout as sleep } from 'node:timers/promises';
import { BodyVerifier, makeBody, type VerifyOutcome } from './body.js';
import { failureLine, httpRequest, labClient, pool, type LabClient } from './http.js';
import { SEQ_VERIFY, type VerifyResult, type WorkloadSpec } from './job.js';
import { allNames } from './names.js';

const MAX_DETAILS = 5;
/** pauses before each try of fresh PUT + GET; together they outlast any queue of the load phase */
const FRESH_TRY_DELAYS_MS = [0, 200, 800, 2000];

async function getAndCheck(client: LabClient, w: WorkloadSpec, name: string): Promise<VerifyOutcome> {
  const verifier = new BodyVerifier(name, w.seed, w.fileSize);
  const reply = await httpRequest(client, 'GET', `/${name}`, undefined, (c) => verifier.update(c));
  if (reply.status !== 200) return { ok: false, reason: `GET answered ${reply.status}` };
  return verifier.finish();
}

async function checkName(client: LabClient, w: WorkloadSpec, name: string, index: number): Promise<string | undefined> {
  const before = await getAndCheck(client, w, name);
  if (!before.ok) return `GET /${name} after the load: ${before.reason}`;

  const freshSeq = (SEQ_VERIFY + index) >>> 0;
  let staleSeq = 0;
  for (const delay of FRESH_TRY_DELAYS_MS) {
    await sleep(delay);
    const put = await httpRequest(client, 'PUT', `/${name}`, makeBody(name, w.seed, freshSeq, w.fileSize));
    if (put.status !== 200 && put.status !== 201) return `PUT /${name} (fresh body) answered ${put.status}`;
    const after = await getAndCheck(client, w, name);
    if (!after.ok) return `GET /${name} after a fresh PUT: ${after.reason}`;
    staleSeq = after.seq;
    if (staleSeq === freshSeq) break;
  }
  if (staleSeq !== freshSeq) {
    const totalS = FRESH_TRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 1000;
    return `GET /${name} after a fresh PUT returned a stale body (seq ${staleSeq.toString(16)}, expected ${freshSeq.toString(16)}; ${FRESH_TRY_DELAYS_MS.length} tries over ${totalS} s)`;
  }

  const head = await httpRequest(client, 'HEAD', `/${name}`);
  if (head.status !== 200 || head.contentLength !== w.fileSize) {
    return `HEAD /${name} answered ${head.status} with Content-Length ${head.contentLength}, expected 200 and ${w.fileSize}`;
  }
  return undefined;
}

export async function verifyFiles(target: URL, w: WorkloadSpec): Promise<VerifyResult> {
  const names = allNames(w, w.connections);
  const limit = Math.min(w.connections, 8, w.client.seedConnections);
  const client = labClient(target, w, limit);
  const details: string[] = [];
  let mismatches = 0;
  try {
    await pool(names, limit, async (name, i) => {
      let problem: string | undefined;
      try {
        problem = await checkName(client, w, name, i);
      } catch (err) {
        problem = failureLine(`/${name}`, err);
      }
      if (problem) {
        mismatches++;
        if (details.length < MAX_DETAILS) details.push(problem);
      }
    });
  } finally {
    client.agent.destroy();
  }
  return { phase: 'verify', checked: names.length, mismatches, details };
}
