// speedlab check's usage errors (exit 2) and the readiness that makes no connection.
import { describe, expect, it } from 'vitest';
import { listeningPorts } from '../../src/runtime/listening.js';
import { runCli } from '../fixtures/cli.js';

describe('speedlab check usage', () => {
  it('no command after --', async () => {
    const r = await runCli(['check', '--']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("speedlab: check: nothing after --: give your server's command line, e.g. -- ./httpserver {port} -N {threads} -l {log}");
  });

  it('a command without {port}', async () => {
    const r = await runCli(['check', '--', './httpserver', '8080']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('speedlab: check: the command has no {port}: the lab picks the port and must tell your server (e.g. -- ./httpserver 8080 {port})');
  });

  it('a bad --threads', async () => {
    const r = await runCli(['check', '--threads', '0,x', '--', './s', '{port}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("speedlab: check: --threads: '0,x' is not a list of whole numbers ≥ 1 (e.g. 1,8)");
  });

  it('neither FILE nor a command', async () => {
    const r = await runCli(['check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: speedlab check FILE');
  });
});

describe('readiness by the socket table', () => {
  it('reads the LISTEN ports of /proc/net/tcp and tcp6, not the connected ones', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0',
      '   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 20 4 30 10 -1',
    ].join('\n');
    const tcp6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000',
    ].join('\n');
    expect([...listeningPorts([tcp, tcp6])]).toEqual([8080, 80]);
  });
});
