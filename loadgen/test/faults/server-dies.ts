// The server dies in each phase of a point, on command (fixtures/dying-server.mjs dies on a
// chosen request, after a number of body bytes, or before it listens; no clock decides), in both
// runtimes: the point's failure names the death first, in the same words locally and in Docker,
// with the phase, the request in flight and the server's last output; the sweep goes on to the
// next point; nothing is left behind. The lab's own load generator dying is worded as the lab's
// failure. The OOM case runs under a real container memory limit.
// This module holds the cases and the sweeps; server-dies.test.ts runs them locally,
// server-dies-docker.test.ts in Docker.
import { rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PointRecord } from '../../src/results/record.js';
import { OWNER_LABEL } from '../../src/runtime/docker/engine/owner.js';
import { RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { processesWith, sleep, startCli, tempDir, uniqueSeed, waitFor, writeExperiment, type CliResult } from '../fixtures/cli.js';
import { docker, ensureTestImage, type Docker } from '../docker/engine.js';
import { dyingServer } from '../fixtures/dying.js';
import { ownerOf, records, resources, runningContainer, shmDirsOf } from './helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

type RuntimeName = 'local' | 'docker';

/** the workload's i-th file name (workload/names.ts: distinct files of connection 0) */
const fileName = (seed: number, i: number) => `sl${seed.toString(16).padStart(8, '0')}_d_${String(i).padStart(14, '0')}`;

/** the server's memory under Docker (SPEEDLAB_SERVER_MEMORY_MIB) plus twice the 16 MiB ram disk (data and log tmpfs) */
const SERVER_MEMORY_MIB = 192;
const CONTAINER_LIMIT_MIB = SERVER_MEMORY_MIB + 2 * 16;

interface Case {
  /** the point's thread count: the fixture's fault for it (--fault=N,...) */
  threads: number;
  phase: string;
  fault: string;
  only?: RuntimeName;
  expected(seed: number, rt: RuntimeName): string;
}

// 3 files of 4 KiB on one connection: seeding is PUT #1-3; with no warm-up the window's PUTs
// follow (20 of them); verification is GET, PUT, GET, HEAD per file, the only HEADs of the run
const CASES: Case[] = [
  {
    threads: 1, phase: 'readiness', fault: 'die-before-listen,by=exit:3',
    expected: () => 'the server exited with status 3 before it accepted connections; its last output: dying-server: exiting with status 3 before listening',
  },
  {
    threads: 2, phase: 'seeding', fault: 'die-on=PUT:2,by=SIGKILL',
    expected: (s) => `the server was killed by SIGKILL during seeding (PUT /${fileName(s, 1)} in flight: socket hang up); its last output: dying-server: raising SIGKILL on PUT /${fileName(s, 1)} (PUT #2)`,
  },
  {
    // 12288 bytes of seeding, then 4096 per window PUT: byte 22000 is in the window's third
    threads: 3, phase: 'window', fault: 'die-after-bytes=22000,by=SIGSEGV',
    expected: (s) => `the server was killed by SIGSEGV during the measured window; its last output: dying-server: raising SIGSEGV after 22000 body bytes, in PUT /${fileName(s, 2)}. Your server crashed (SIGSEGV); run \`speedlab check\` on it: it tries the requests a run makes one at a time and names the one that kills it`,
  },
  {
    threads: 4, phase: 'verify', fault: 'die-on=HEAD:1,by=exit:4',
    expected: (s) => `the server exited with status 4 during verification (HEAD /${fileName(s, 0)} in flight: socket hang up); its last output: dying-server: exiting with status 4 on HEAD /${fileName(s, 0)} (HEAD #1)`,
  },
  {
    // the lab's stop (SIGTERM) crashes it: an order the kernel keeps, where a server that ends by
    // itself after its last answer may always be overtaken by the stop (that case: runtime tests)
    threads: 5, phase: 'stop', fault: 'die-on-stop,by=SIGSEGV',
    expected: () => `the server was killed by SIGSEGV when the lab stopped it with SIGTERM; its last output: dying-server: raising SIGSEGV on the lab's SIGTERM. Your server crashed as it shut down: the lab stops a server with SIGTERM (SIGKILL 2 s later), and it ended by a signal of its own instead; look at its SIGTERM handler and at what its threads free or join at exit`,
  },
  {
    // the server holds the second PUT; the test kills the load generator meanwhile
    threads: 6, phase: 'seeding (load generator)', fault: 'hold-on=PUT:2',
    // its last output is its own progress line (the local server's port varies: PORT)
    expected: (_s, rt) => `the lab's load generator${rt === 'docker' ? "'s container" : ''} was killed by SIGKILL during seeding; its last output: loadgen: seed against http://127.0.0.1:${rt === 'docker' ? 8080 : 'PORT'}. This is a failure of the lab, not of the server: run the point again (run --resume)`,
  },
  {
    threads: 7, phase: 'window (OOM)', fault: 'die-on=PUT:5,by=oom', only: 'docker',
    expected: (s) => `the server was killed by the kernel's OOM killer (memory limit ${CONTAINER_LIMIT_MIB} MiB) during the measured window; its last output: dying-server: allocating until the OOM killer strikes on PUT /${fileName(s, 1)} (PUT #5). Give the server more memory with SPEEDLAB_SERVER_MEMORY_MIB (the server's share of the container's limit), or find what grows`,
  },
];
/** the last point has no fault: it shows the sweep went on and a healthy point still measures */
const HEALTHY = 8;

// with a warm-up, seeding is PUT #1-3 and the warm-up's PUTs follow
const WARMUP_CASE: Case = {
  threads: 1, phase: 'warm-up', fault: 'die-on=PUT:5,by=SIGABRT',
  expected: (s) => `the server was killed by SIGABRT during warm-up; its last output: dying-server: raising SIGABRT on PUT /${fileName(s, 1)} (PUT #5)`,
};

function serverConfig(rt: RuntimeName, faults: string[], marker: string): string {
  const args = ['{port}', '-N', '{threads}', '-l', '{log}', `--marker=${marker}`, ...faults];
  // JSON is YAML: the experiment's server: mapping as it is
  return JSON.stringify(dyingServer(rt, args));
}

function experiment(name: string, rt: RuntimeName, cases: Case[], threads: number[], seed: number, warmup: string, marker: string, note: string): string {
  const faults = cases.filter((c) => !c.only || c.only === rt).map((c) => `--fault=${c.threads},${c.fault}${c.fault.startsWith('hold-on') && rt === 'local' ? `,note=${note}` : ''}`);
  return writeExperiment(work, name, `name: ${name}
server: ${serverConfig(rt, faults, marker)}
sweep: { threads: ${JSON.stringify(threads)}, disk: [small] }
disks: { small: { kind: ram, size: 16MiB } }
workload: { mix: put, fileSize: 4KiB, connections: 1, filesPerConnection: 3, warmup: ${warmup}, requests: 20, seed: ${seed} }
# the fixture counts requests to die on: no check's stages before the first point
client: { connection: keep-alive, names: { length: 27, alphabet: alnum-dash-underscore }, body: with-head }
`);
}

interface Outcome { result: CliResult; recs: PointRecord[]; seed: number; pid: number; marker: string; runIds: string[] }

/** the run ids of the lab process `pid` (from its containers' labels), as soon as it has one */
async function runIdsOf(d: Docker, pid: number): Promise<string[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const list = await d.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${ownerOf(pid)}`] } });
    const ids = [...new Set(list.map((c) => c.Labels[RUN_LABEL]!).filter(Boolean))];
    if (ids.length > 0) return ids;
    if (Date.now() > deadline) throw new Error(`no container of the lab process ${pid} within 120 s`);
    await sleep(50);
  }
}

/** waits until the fixture holds its request, then kills the point's load generator (its process, or its container) */
async function killLoadgenWhenHeld(rt: RuntimeName, pid: number, seed: number, note: string, nth: number): Promise<void> {
  if (rt === 'local') {
    await waitFor(() => existsSync(note), 400_000, 'the fixture to hold its request');
    // the loadgen's command line holds its job, with the workload's seed
    const [loadgen] = processesWith(`"seed":${seed}`);
    process.kill(loadgen!, 'SIGKILL');
    return;
  }
  const server = await runningContainer(docker(), pid, 'server', `-${nth}-server`, 400_000);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const logs = (await docker().getContainer(server.id).logs({ stdout: true, stderr: true })).toString('utf8');
    if (logs.includes('dying-server: holding')) break;
    if (Date.now() > deadline) throw new Error(`the fixture did not hold its request; its output: ${logs}`);
    await sleep(50);
  }
  const loadgen = await runningContainer(docker(), pid, 'loadgen', `-${nth}-loadgen`, 60_000);
  await docker().getContainer(loadgen.id).kill();
}

async function sweep(rt: RuntimeName, tag: string, cases: Case[], threads: number[], warmup: string): Promise<Outcome> {
  const seed = uniqueSeed();
  const marker = `m${uniqueSeed()}`;
  const note = path.join(work, `${tag}-held`);
  const file = experiment(tag, rt, cases, threads, seed, warmup, marker, note);
  const out = path.join(work, `${tag}-out`);
  const env = { ...process.env, SPEEDLAB_SERVER_MEMORY_MIB: String(SERVER_MEMORY_MIB) };
  const run = startCli(['run', file, '--runtime', rt, '--out', out], undefined, env);
  const pid = run.child.pid!;
  const held = cases.find((c) => c.fault.startsWith('hold-on'));
  const [runIds] = await Promise.all([
    rt === 'docker' ? runIdsOf(docker(), pid) : Promise.resolve([]),
    held && killLoadgenWhenHeld(rt, pid, seed, note, held.threads),
  ]);
  const result = await run.done;
  return { result, recs: records(out), seed, pid, marker, runIds };
}

async function expectNothingLeft(rt: RuntimeName, o: Outcome): Promise<void> {
  expect(processesWith(o.marker)).toEqual([]);
  expect(processesWith(`"seed":${o.seed}`)).toEqual([]);
  expect(shmDirsOf(o.pid)).toEqual([]);
  if (rt === 'docker') {
    expect(await resources(docker(), `${OWNER_LABEL}=${ownerOf(o.pid)}`, o.runIds)).toEqual({ containers: [], volumes: [], loops: [] });
  }
}

/** the sweeps of one runtime, and a test per case */
export function runtimeSuite(rt: RuntimeName): void {
  const cases = CASES.filter((c) => !c.only || c.only === rt);
  let main: Outcome;
  let warm: Outcome;
  beforeAll(async () => {
    if (rt === 'docker') await ensureTestImage();
    main = await sweep(rt, `dies-${rt}`, CASES, [...CASES.map((c) => c.threads), HEALTHY], '0s');
    warm = await sweep(rt, `dies-warm-${rt}`, [WARMUP_CASE], [1, 2], '1s');
  }, 600_000);

  it('every point is recorded, in order: the faulty ones failed, the healthy ones measured; exit 1', () => {
    expect(main.result.code, main.result.stderr).toBe(1);
    const failing = new Set(cases.map((c) => c.threads));
    expect(main.recs.map((r) => [r.params.threads, r.outcome])).toEqual([...CASES.map((c) => c.threads), HEALTHY].map((t) => [t, failing.has(t) ? 'failed' : 'ok']));
    expect(main.recs.filter((r) => r.outcome === 'ok').every((r) => r.requests === 20)).toBe(true);
    expect(warm.recs.map((r) => [r.params.threads, r.outcome])).toEqual([[1, 'failed'], [2, 'ok']]);
  });

  for (const c of cases) {
    it(`${c.phase}: the failure says how it died, then what the client saw`, () => {
      const rec = main.recs.find((r) => r.params.threads === c.threads)!;
      const expected = c.expected(main.seed, rt);
      const exactly = new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('PORT', '\\d+')}$`);
      expect(rec.failure).toMatch(exactly);
      expect(main.result.stderr).toContain(`threads=${c.threads} disk=small: FAILED: ${rec.failure}`);
      console.log(`faults (${rt}, ${c.phase}): ${rec.failure}`);
    });
  }

  it('warm-up: the failure says how it died', () => {
    const expected = WARMUP_CASE.expected(warm.seed, rt);
    expect(warm.recs[0]!.failure).toBe(expected);
    console.log(`faults (${rt}, warm-up): ${expected}`);
  });

  it('nothing is left behind: processes, data directories, containers, volumes, loop devices', async () => {
    await expectNothingLeft(rt, main);
    await expectNothingLeft(rt, warm);
  });
}

