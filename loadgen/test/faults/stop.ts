// The lab's stop in both runtimes (types.ts RunningServer.stop): SIGTERM, SIGKILL after the grace,
// and whose end it was. Each case is put in an order the kernel keeps, never a race: the server
// that ends by itself is awaited to its end before the lab stops it; the one that crashes does so
// on the lab's own SIGTERM. stop.test.ts runs them locally, stop-docker.test.ts in Docker.
import { expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../../src/runtime/death.js';
import type { RunningServer, ServerSpec } from '../../src/runtime/types.js';
import { uniqueSeed } from '../fixtures/cli.js';
import { dyingServer } from '../fixtures/dying.js';

export interface StopHarness {
  runtime: 'local' | 'docker';
  start(spec: ServerSpec): Promise<RunningServer>;
  /** one GET of `/name` to the server, its status */
  get(server: RunningServer, name: string): Promise<number>;
}

function spec(runtime: StopHarness['runtime'], fault: string | undefined, runId: string): ServerSpec {
  const server = dyingServer(runtime, ['{port}', '-N', '{threads}', ...(fault ? [`--fault=1,${fault}`] : [])]);
  return {
    impl: 'image' in server ? { kind: 'image', ...server } : { kind: 'command', ...server },
    threads: 1, log: 'off', lock: 'global', logWrite: 'locked', sync: 'none',
    disk: { name: 'ram', kind: 'ram', sizeBytes: 16 * 1024 ** 2 },
    runId,
  };
}

export function stopSuite(h: StopHarness, runId = `stop${uniqueSeed()}`): void {
  it('a server that stops on SIGTERM: its end is the lab\'s, nothing to report', async () => {
    const server = await h.start(spec(h.runtime, undefined, runId));
    expect(await h.get(server, 'missing')).toBe(404);
    const began = Date.now();
    await expect(server.stop()).resolves.toBeUndefined();
    // it exited at SIGTERM, not at the SIGKILL the grace ends with
    expect(await server.exited).toMatchObject({ how: { kind: 'status', status: 0 } });
    console.log(`stop (${h.runtime}): a server that stops on SIGTERM took ${Date.now() - began} ms`);
  });

  it('a server that ignores SIGTERM is killed after the grace: still the lab\'s end', async () => {
    const server = await h.start(spec(h.runtime, 'ignore-stop', runId));
    const began = Date.now();
    await expect(server.stop()).resolves.toBeUndefined();
    expect(Date.now() - began).toBeGreaterThanOrEqual(STOP_GRACE_MS);
    expect(await server.exited).toMatchObject({ how: { kind: 'signal', signal: 'SIGKILL' } });
  });

  it('a server that ended by itself before the stop: its own end, "before-stop"', async () => {
    const server = await h.start(spec(h.runtime, 'die-after-answer=GET:1,by=exit:5', runId));
    expect(await h.get(server, 'missing')).toBe(404);
    // the test, not a clock, waits for the end: the stop comes after it by construction
    await server.exited;
    await expect(server.stop()).resolves.toMatchObject({ when: 'before-stop', how: { kind: 'status', status: 5 }, stderrTail: ['dying-server: exiting with status 5 after answering GET /missing (GET #1)'] });
  });

  it('a server that crashes on the lab\'s SIGTERM: its own end, "on-stop"', async () => {
    const server = await h.start(spec(h.runtime, 'die-on-stop,by=SIGABRT', runId));
    await expect(server.stop()).resolves.toMatchObject({ when: 'on-stop', how: { kind: 'signal', signal: 'SIGABRT' }, stderrTail: ["dying-server: raising SIGABRT on the lab's SIGTERM"] });
  });
}
