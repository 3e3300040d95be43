// The server's command line per point: a user's command with its placeholders filled, and the
// reference server's options, where the listen address matters with two engines.
import { describe, expect, it } from 'vitest';
import { serverCommand } from '../../src/runtime/docker/containers/command.js';
import { userCommand } from '../../src/runtime/server-command.js';
import type { ServerSpec } from '../../src/runtime/types.js';

const spec = (over: Partial<ServerSpec> = {}): ServerSpec => ({
  impl: { kind: 'reference' }, threads: 4, log: 'full', lock: 'file', logWrite: 'reserved', sync: 'none',
  disk: { name: 'ram', kind: 'ram', sizeBytes: 1 << 30 }, runId: 'r', ...over,
});

describe('server command lines', () => {
  it('a user command gets {host}: 127.0.0.1 by default, the bind address with two engines', () => {
    const command = ['httpserver', '{port}', '-N', '{threads}', '-l', '{log}', '--listen', '{host}'];
    expect(userCommand(command, spec(), 8080, '/data/log')).toEqual(['httpserver', '8080', '-N', '4', '-l', '/data/log', '--listen', '127.0.0.1']);
    expect(userCommand(command, spec({ log: 'off' }), 18080, '/data/log', '0.0.0.0')).toEqual(['httpserver', '18080', '-N', '4', '--listen', '0.0.0.0']);
  });

  it('the reference server gets --host only when a bind address is given', () => {
    const one = serverCommand(spec(), 8080);
    expect(one).not.toContain('--host');
    expect(one.slice(0, 5)).toEqual(['node', '/app/dist/server/src/cli.js', '8080', '-N', '4']);
    expect(serverCommand(spec(), 18080, '10.1.2.3').slice(-2)).toEqual(['--host', '10.1.2.3']);
  });
});
