// Two Docker engines on one machine (README "Two machines"): the shared engine runs the servers,
// a second daemon (docker/second-engine.sh: its own socket, data root and exec root) runs the
// load generators, reached through a docker context. A reduced sweep across them; clean-up on
// both, also after SIGKILL of the run; either engine going away mid-point; an unreachable address.
// Why its time (~130 s idle, ~180 s beside the local tests): the first run builds the image on the second engine (that is one of the
// claims), and each fault case needs a running point on the far engine before it can break it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointRecord, RunInfo } from '../../../src/results/record.js';
import { OWNER_LABEL } from '../../../src/runtime/docker/engine/owner.js';
import { freePortPair } from '../../fixtures/ports.js';
import { docker, ensureTestImage, HAVE_DOCKER, startScriptEngine } from '../../docker/engine.js';
import { count, expectNoStack, ownerOf, records, resources, runningContainer, startEngineProxy } from '../../faults/helpers.js';
import { ROOT, runCli, sleep, startCli, tempDir, writeExperiment } from '../../fixtures/cli.js';

const A = 'unix:///var/run/docker.sock';
const work = tempDir('speedlab-two-engines-');
// the docker CLI's context store for this test only: `lab-b` names the second engine
const dockerConfig = path.join(work, 'docker-config');
const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
let B = '';
let dockerB: Docker;

/** threads [1, 2] for the sweep; the fault cases measure one point after the fault: [1] */
function experiment(name: string, port: number, extra = '', duration = '1s', threads = '[1, 2]'): string {
  return writeExperiment(work, name, `name: ${name}
server: { impl: reference }
sweep: { threads: ${threads} }
workload: { mix: get, fileSize: 4KiB, connections: 4, warmup: 0s, duration: ${duration} }
engines: { port: ${port}${extra} }
`);
}

/** what a lab process left on an engine: its containers and volumes, by its owner label */
const leftOn = (d: Docker, pid: number) => resources(d, `${OWNER_LABEL}=${ownerOf(pid)}`, []);
const NOTHING = { containers: [], volumes: [], loops: [] };
const roleRunning = (d: Docker, pid: number, role: string) => runningContainer(d, pid, role, '', 90_000);
const roles = async (d: Docker, pid: number, role: string) => (await leftOn(d, pid)).containers.filter((c) => c.role === role);

const runInfo = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;

describe.skipIf(!HAVE_DOCKER)('two Docker engines on one machine', () => {
  const script = path.join(ROOT, 'docker/second-engine.sh');
  let stopEngine = () => {};

  beforeAll(async () => {
    await ensureTestImage();
    ({ url: B, stop: stopEngine } = startScriptEngine(script));
    expect(B).toBe('unix:///run/speedlab-engine-b.sock');
    dockerB = new Docker({ socketPath: B.slice('unix://'.length) });
    mkdirSync(dockerConfig, { recursive: true });
    execFileSync('docker', ['context', 'create', 'lab-b', '--docker', `host=${B}`], { env, stdio: 'ignore' });
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    // a second engine this test started goes again (its data root keeps the image for next time)
    stopEngine();
  });

  it('runs a reduced sweep with the server on one engine and the load generator on the other: both named, RTT per point, per-side CPU, the link, a report that shows them, nothing left behind', async () => {
    // the second engine lacks the image: the run builds it there
    await dockerB.getImage('speedlab:latest').remove({ force: true }).catch(() => {});
    const out = path.join(work, 'split-out');
    const port = await freePortPair();
    const run = startCli(['run', experiment('split', port), '--server-engine', A, '--loadgen-engine', 'lab-b', '--out', out], ROOT, env);
    // the server runs on A, the load generator on B, and never the other way round
    await roleRunning(docker(), run.child.pid!, 'server');
    await roleRunning(dockerB, run.child.pid!, 'loadgen');
    expect(await roles(docker(), run.child.pid!, 'loadgen')).toEqual([]);
    expect(await roles(dockerB, run.child.pid!, 'server')).toEqual([]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('lab-b: built speedlab:latest');
    expect(r.stderr).toMatch(/^link: \d+ MB\/s server to load generator, \d+ MB\/s back/m);

    const points = records(out);
    expect(points.map((p) => [p.params.threads, p.outcome])).toEqual([[1, 'ok'], [2, 'ok']]);
    for (const p of points) {
      expect(p.network).toMatchObject({ serverEngine: A, loadgenEngine: 'lab-b', address: '127.0.0.1' });
      const rtt = p.network!.rttUs;
      expect(rtt.min).toBeGreaterThan(0);
      expect(rtt.min).toBeLessThanOrEqual(rtt.p50);
      expect(rtt.p50).toBeLessThanOrEqual(rtt.max);
      expect(p.serverCpuCores).toBeGreaterThan(0);
      expect(p.loadgenCpuCores).toBeGreaterThan(0);
      // every answer carries its 4 KiB body: a count over one window, not a speed
      expect(p.network!.receivedBytesPerS).toBeGreaterThan(4096 * p.requestsPerS);
      expect(p.network!.linkShare).toBeGreaterThan(0);
      expect(p.networkBound).toBe(false);
    }
    const info = runInfo(out);
    expect(info.engines).toMatchObject({
      server: { name: A, url: A }, loadgen: { name: 'lab-b', url: B },
      sameHost: true, address: '127.0.0.1', bind: '127.0.0.1', port, peerPort: port + 1,
    });
    expect(info.engines!.server.cpuset).not.toBe(info.engines!.loadgen.cpuset);
    // measured both ways (what loopback carries is bench/loopback-path.ts's figure, not a bound)
    expect(info.engines!.link!.down.bytesPerS).toBeGreaterThan(0);
    expect(info.engines!.link!.up.bytesPerS).toBeGreaterThan(0);

    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Two engines</h3>');
    expect(html).toContain('lab-b');
    expect(html).toContain(B);
    expect(html).toContain('<th>RTT p50</th>');
    expect(html).toContain('<th>server CPU</th>');
    expect(html).toContain('<th>loadgen CPU</th>');

    expect(await leftOn(docker(), run.child.pid!)).toEqual(NOTHING);
    expect(await leftOn(dockerB, run.child.pid!)).toEqual(NOTHING);
    const p0 = points[0] as PointRecord;
    console.log(`two engines: ${points.map((p) => `${p.params.threads} thread(s) ${Math.round(p.requestsPerS)} req/s, RTT p50 ${p.network!.rttUs.p50} µs`).join('; ')}; link ${Math.round(info.engines!.link!.down.bytesPerS / 1e6)} MB/s down, ${Math.round(info.engines!.link!.up.bytesPerS / 1e6)} MB/s up; loadgen CPU ${p0.loadgenCpuCores.toFixed(2)} cores`);
  });

  it('after SIGKILL of the run, its containers are on both engines; the resumed run removes them from both and finishes', async () => {
    const out = path.join(work, 'killed-out');
    // a 5 s window and both engines watched at once: on a busy machine a listing takes a while, and
    // waiting for one role and then the other can miss a short point's server
    const file = experiment('killed', await freePortPair(), '', '5s', '[1]');
    const args = ['run', file, '--server-engine', A, '--loadgen-engine', 'lab-b', '--out', out];
    const run = startCli(args, ROOT, env);
    // both at once, or the run's own words when it ends first
    let seen = false;
    const both = Promise.all([roleRunning(dockerB, run.child.pid!, 'loadgen'), roleRunning(docker(), run.child.pid!, 'server')]).then(
      () => { seen = true; },
      async (err: Error) => {
        run.child.kill('SIGKILL');
        throw new Error(`${err.message}; the run had said: ${(await run.done).stderr.slice(-3000)}`);
      },
    );
    const ended = run.done.then((r) => {
      if (!seen) throw new Error(`the run ended (exit ${r.code}) before its server and load generator containers were both seen running: ${r.stderr.slice(-3000)}`);
    });
    await Promise.race([both, ended]);
    run.child.kill('SIGKILL');
    await run.done;
    const leftA = await leftOn(docker(), run.child.pid!);
    const leftB = await leftOn(dockerB, run.child.pid!);
    expect(leftA.containers.filter((c) => c.role === 'server')).toHaveLength(1);
    expect(leftB.containers.filter((c) => c.role === 'loadgen')).toHaveLength(1);

    const resumed = await runCli([...args, '--resume'], ROOT, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/lab-b: removed \d+ leftovers of earlier runs/);
    expect(records(out).map((p) => p.outcome)).toEqual(['ok']);
    expect(await leftOn(docker(), run.child.pid!)).toEqual(NOTHING);
    expect(await leftOn(dockerB, run.child.pid!)).toEqual(NOTHING);
    console.log(`two engines: SIGKILL left ${count(leftA)} on the server's engine and ${count(leftB)} on the load generator's; the resumed run removed them`);
  });

  for (const side of ['server', 'loadgen'] as const) {
    it(`the ${side === 'server' ? "server's" : "load generator's"} engine goes away mid-point: one clear line naming it, no point recorded for the loss; --resume finishes`, async () => {
      const target = side === 'server' ? A : B;
      const proxy = await startEngineProxy(path.join(work, `${side}-proxy.sock`), target.slice('unix://'.length));
      try {
        const out = path.join(work, `${side}-gone-out`);
        const file = experiment(`${side}-gone`, await freePortPair(), '', '1s', '[1]');
        const via = `unix://${proxy.socket}`;
        const flags = side === 'server' ? ['--server-engine', via, '--loadgen-engine', 'lab-b'] : ['--server-engine', A, '--loadgen-engine', via];
        const run = startCli(['run', file, ...flags, '--out', out], ROOT, env);
        // mid-point: the first point's server is up (the capacity check and the link are done)
        await roleRunning(docker(), run.child.pid!, 'server');
        await sleep(800);
        await proxy.kill();
        const r = await run.done;
        expect(r.code, r.stderr).toBe(1);
        expectNoStack(r.stderr);
        const last = r.stderr.trim().split('\n').at(-1)!;
        const who = side === 'server' ? "the server's Docker engine" : "the load generator's Docker engine";
        expect(last).toMatch(new RegExp(`^speedlab: ${who} went away during the run: no Docker engine answers at ${via.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
        expect(last).toContain(`then finish the run with: speedlab run ${file} --out ${out} --resume ${flags.join(' ')}`);
        expect(records(out)).toEqual([]);

        const resumed = await runCli(['run', file, '--server-engine', A, '--loadgen-engine', 'lab-b', '--out', out, '--resume'], ROOT, env);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(records(out).map((p) => [p.params.threads, p.outcome])).toEqual([[1, 'ok']]);
        expect(await leftOn(docker(), run.child.pid!)).toEqual(NOTHING);
        expect(await leftOn(dockerB, run.child.pid!)).toEqual(NOTHING);
      } finally {
        await proxy.kill();
      }
    });
  }

  it('an address the load generator cannot reach: the run stops before its first point with the reason; --resume with the right address finishes', async () => {
    const out = path.join(work, 'unreachable-out');
    const port = await freePortPair();
    // the server listens on 127.0.0.1 only; 127.0.0.2 (loopback too) has nothing on that port
    const file = experiment('unreachable', port, ', bind: 127.0.0.1', '1s', '[1]');
    const run = await runCli(['run', file, '--server-engine', A, '--loadgen-engine', 'lab-b', '--server-address', '127.0.0.2', '--out', out], ROOT, env);
    expect(run.code, run.stderr).toBe(1);
    expectNoStack(run.stderr);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain(`speedlab: the load generator's engine cannot reach the server's machine at 127.0.0.2:${port + 1} (cannot connect to 127.0.0.2:${port + 1}: connect ECONNREFUSED 127.0.0.2:${port + 1})`);
    expect(last).toContain('check --server-address (engines.address)');
    expect(last).toContain(`--resume --server-engine ${A} --loadgen-engine lab-b --server-address 127.0.0.2`);
    expect(records(out)).toEqual([]);

    const resumed = await runCli(['run', file, '--server-engine', A, '--loadgen-engine', 'lab-b', '--server-address', '127.0.0.1', '--out', out, '--resume'], ROOT, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(records(out).map((p) => p.outcome)).toEqual(['ok']);
    expect(runInfo(out).engines?.address).toBe('127.0.0.1');
  });

  it('refuses two engines that are one, and engine settings without two engines', async () => {
    const file = experiment('refused', 18080);
    const same = await runCli(['run', file, '--server-engine', A, '--loadgen-engine', A, '--out', path.join(work, 'same')], ROOT, env);
    expect(same.code).toBe(2);
    expect(same.stderr.trim()).toBe(`speedlab: --server-engine and --loadgen-engine name the same engine (${A}); give two engines, or neither for the usual one-engine run`);
    const alone = await runCli(['run', file, '--out', path.join(work, 'alone')], ROOT, env);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe('speedlab: engines.port: only with two engines (--server-engine and/or --loadgen-engine, or engines.server / engines.loadgen)');
    const unknown = await runCli(['run', file, '--loadgen-engine', 'no-such-context', '--out', path.join(work, 'unknown')], ROOT, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(`speedlab: engine 'no-such-context': no such docker context in ${path.join(dockerConfig, 'contexts')} and not an address; give unix:///PATH, tcp://HOST:PORT, ssh://USER@HOST or a context name ('docker context ls')`);
  });
});
