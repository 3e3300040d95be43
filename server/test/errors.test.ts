// server/src/errors.ts: a code and an exit code per error, and what the compiled server's command
// line does with them: one message (a usage error with the usage), that exit code, no stack trace.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ServerError, StartupError, UsageError } from '../src/errors.js';
import { parseServerArgs, USAGE } from '../src/options.js';
import { SERVER_CLI } from './harness.js';

const server = (...args: string[]) => spawnSync(process.execPath, [SERVER_CLI, ...args], { encoding: 'utf8', timeout: 10_000 });

describe('server errors', () => {
  test('each class has its code and exit code', () => {
    expect([new UsageError('x'), new StartupError('x')].map((e) => [e instanceof ServerError, e.name, e.code, e.exitCode])).toEqual([
      [true, 'UsageError', 'usage', 2],
      [true, 'StartupError', 'startup', 1],
    ]);
    expect(() => parseServerArgs(['8080', '-N', 'many'])).toThrow(expect.objectContaining({ code: 'usage', message: "-N must be an integer from 1 to 1024 (got 'many')" }));
  });

  test('a usage error exits 2 with the message and the usage', () => {
    const r = server('--lock', 'none', '8080');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`speedlab-server: --lock must be one of global, file (got 'none')\n\n${USAGE}\n`);
  });

  test('a server that cannot start exits 1 with the reason', () => {
    const r = server('0', '--dir', '/nonexistent/speedlab');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('speedlab-server: data directory /nonexistent/speedlab does not exist or is not a directory\n');
  });
});
