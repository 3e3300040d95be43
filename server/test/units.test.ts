import { describe, expect, it } from 'vitest';
import { parseRequestHead } from '../src/http/request-head.js';
import { hexDump, hexDumpSize } from '../src/log/hexdump.js';
import { parseServerArgs } from '../src/options.js';
import { expectedFullEntry } from './harness.js';

describe('hex dump', () => {
  it('matches the plain oracle and its own size formula', () => {
    for (const n of [0, 1, 19, 20, 21, 39, 40, 41, 111, 2000, 65_540, 100_001]) {
      const content = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
      const dump = hexDump(content, 0);
      const oracle = expectedFullEntry('GET', 'x', content).slice('GET /x length '.length + String(n).length + 1, -'========\n'.length);
      expect(dump.toString('latin1')).toBe(oracle);
      expect(hexDumpSize(n)).toBe(dump.length);
    }
  });

  it('continues offsets across chunks and widens past 8 digits', () => {
    expect(hexDump(Buffer.from([1, 2]), 20).toString()).toBe('00000020 01 02\n');
    expect(hexDump(Buffer.from([255]), 99_999_980).toString()).toBe('99999980 ff\n');
    expect(hexDump(Buffer.from([0]), 100_000_000).toString()).toBe('100000000 00\n');
    // 100,000,020 bytes: the last line starts at 100,000,000 and has 9 digits
    const lines = Math.ceil(100_000_020 / 20);
    expect(hexDumpSize(100_000_020)).toBe(3 * 100_000_020 + lines * 9 + 1);
  });
});

describe('request head', () => {
  it('reads method, target, Content-Length and Connection: close', () => {
    const r = parseRequestHead('PUT /x HTTP/1.1\r\ncontent-length:  12 \r\nConnection: keep-alive, close');
    expect(r).toEqual({ ok: true, head: { line: 'PUT /x HTTP/1.1', method: 'PUT', target: '/x', contentLength: 12, close: true } });
  });
  it.each([
    ['GET /x HTTP/1.1 extra', 'malformed request line'],
    ['GET /x HTTP/2', 'unsupported version HTTP/2'],
    ['GET /x HTTP/1.1\r\nContent-Length: 1e3', 'bad Content-Length'],
    ['G(T /x HTTP/1.1', 'malformed method'],
    ['GET /x HTTP/1.1\r\n: v', 'malformed header'],
  ])('rejects %j', (text, reason) => {
    expect(parseRequestHead(text)).toMatchObject({ ok: false, reason });
  });
});

describe('server options', () => {
  it('has the documented defaults', () => {
    expect(parseServerArgs(['8080'], '/srv')).toEqual({
      port: 8080, host: '127.0.0.1', threads: 4, logFile: null, lock: 'file', logMode: 'full',
      logWrite: 'reserved', sync: 'none', dir: '/srv', timeoutMs: 10_000, ioDelayMs: 0, logDelayMs: 0,
    });
  });
  it('takes the course command line and every design flag', () => {
    const o = parseServerArgs(['9', '-N', '16', '-l', 'log.txt', '--lock', 'global', '--log-mode', 'meta', '--log-write', 'locked', '--sync', 'fsync', '--dir', 'd'], '/w');
    expect(o).toMatchObject({ port: 9, threads: 16, logFile: '/w/log.txt', lock: 'global', logMode: 'meta', logWrite: 'locked', sync: 'fsync', dir: '/w/d' });
  });
  it.each([
    [[], 'PORT is required'],
    [['70000'], 'PORT must be an integer from 0 to 65535'],
    [['80', '-N', '0'], '-N must be an integer from 1 to 1024'],
    [['80', '--lock', 'stripe'], "--lock must be one of global, file (got 'stripe')"],
    [['80', '--sync'], '--sync must be one of none, fsync (got nothing)'],
    [['80', '--fast'], "unknown option '--fast'"],
    [['80', '--log-delay', '-1'], "--log-delay must be an integer from 0 to 60000 (got '-1')"],
    [['80', '81'], "unexpected argument '81'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseServerArgs(argv)).toThrow(message);
  });
});
