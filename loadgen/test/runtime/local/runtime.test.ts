import path from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../../src/util/pid.js';
import { LocalRuntime, serverArgv } from '../../../src/runtime/local/runtime.js';
import type { ServerSpec } from '../../../src/runtime/types.js';
import { TINY_SERVER, uniqueSeed } from '../../fixtures/cli.js';

const base: Omit<ServerSpec, 'impl'> = {
  threads: 3, log: 'full', lock: 'global', logWrite: 'locked', sync: 'fsync',
  disk: { name: 'ram', kind: 'ram', sizeBytes: 1 << 30 }, runId: `t${uniqueSeed()}`,
};

describe('the server command line', () => {
  it('passes the design options to the reference server', () => {
    const argv = serverArgv({ ...base, impl: { kind: 'reference' } }, 1234, '/d', '/l');
    expect(argv.slice(1)).toEqual([
      expect.stringMatching(/dist\/server\/src\/cli\.js$/), '1234', '-N', '3', '-l', '/l', '--log-mode', 'full',
      '--lock', 'global', '--log-write', 'locked', '--sync', 'fsync', '--dir', '/d',
    ]);
    expect(serverArgv({ ...base, log: 'off', impl: { kind: 'reference' } }, 1, '/d', '/l')).not.toContain('-l');
  });

  it('fills a user command\'s placeholders, and drops "-l {log}" when logging is off', () => {
    const impl = { kind: 'command' as const, command: ['./httpserver', '{port}', '-N', '{threads}', '-l', '{log}', '--x={port}'] };
    // the server runs in its data directory: a relative program is taken from where the lab runs
    const program = path.join(process.cwd(), 'httpserver');
    expect(serverArgv({ ...base, impl }, 8080, '/d', '/l/log')).toEqual([program, '8080', '-N', '3', '-l', '/l/log', '--x=8080']);
    expect(serverArgv({ ...base, log: 'off', impl }, 8080, '/d', '/l/log')).toEqual([program, '8080', '-N', '3', '--x=8080']);
  });

  it('fills the design placeholders {lock}, {logWrite} and {sync}; a program on PATH stays as given', () => {
    const impl = { kind: 'command' as const, command: ['httpserver', '{port}', '--lock={lock}', '{logWrite}', '{sync}'] };
    expect(serverArgv({ ...base, impl }, 1, '/d', '/l')).toEqual(['httpserver', '1', '--lock=global', 'locked', 'fsync']);
  });
});

describe('LocalRuntime', () => {
  it('starts a server in RAM, reads its counters, and removes everything on stop', async () => {
    const rt = new LocalRuntime({ readyTimeoutS: 10 });
    const spec: ServerSpec = { ...base, log: 'off', impl: { kind: 'command', command: ['node', TINY_SERVER, '{port}'] } };
    const server = await rt.startServer(spec);
    const dirs = readdirSync('/dev/shm').filter((d) => d.startsWith(`speedlab-${spec.runId}-`));
    expect(dirs).toHaveLength(1);
    const s1 = await server.stats();
    const res = await fetch(`http://127.0.0.1:${server.port}/abc`, { method: 'PUT', body: 'x'.repeat(100_000) });
    expect(res.status).toBe(201);
    const s2 = await server.stats();
    expect(s2.cpuSeconds).toBeGreaterThanOrEqual(s1.cpuSeconds);
    expect(s2.writeBytes - s1.writeBytes).toBeGreaterThanOrEqual(100_000);
    expect(s2.ioIncludesSockets).toBe(true);
    const pid = Number((await import('node:fs')).readFileSync(`/dev/shm/${dirs[0]}/server.pid`, 'utf8'));
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(`/dev/shm/${dirs[0]}`)).toBe(false);
    await rt.cleanup(spec.runId);
  });

  it('refuses throttled disks and images with a clear message', async () => {
    const rt = new LocalRuntime({ readyTimeoutS: 1 });
    await expect(rt.startServer({ ...base, impl: { kind: 'reference' }, disk: { name: 'hdd', kind: 'throttled', sizeBytes: 1 << 30 } }))
      .rejects.toThrow("disk profile 'hdd' is throttled; the local runtime has only the ram profile (use --runtime docker)");
    await expect(rt.startServer({ ...base, impl: { kind: 'image', image: 'me/srv', command: ['s'] } })).rejects.toThrow('needs the docker runtime');
  });
});
