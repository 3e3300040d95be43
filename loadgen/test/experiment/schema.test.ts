import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { parseExperiment } from '../../src/experiment/load.js';

const F = 'exp.yaml';

function errorOf(yaml: string): string {
  try {
    parseExperiment(yaml, F);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
}

/** [what, yaml, the field, the value given, what is allowed] */
const CASES: [string, string, string, string, string][] = [
  ['missing name', 'sweep: { threads: [1] }', "'name'", 'nothing', 'required'],
  ['bad name', 'name: "a b"', "'name'", '"a b"', 'letters, digits'],
  ['unknown top-level field', 'name: x\nsweeps: {}', "'sweeps'", '{}', 'allowed: name, description, server'],
  ['throttled disk without a limit', 'name: x\ndisks: { a: { kind: throttled, size: 64MiB } }\nsweep: { disk: [a] }', "'disks.a.kind'", '"throttled"', 'at least one of writeBps, readBps, writeIops, readIops'],
  ['host disk with a relative path', 'name: x\ndisks: { b: { kind: host, size: 64MiB, path: relative/dir } }\nsweep: { disk: [b] }', "'disks.b.path'", '"relative/dir"', 'path must be absolute'],
  ['a path on a ram disk', 'name: x\ndisks: { r: { kind: ram, size: 64MiB, path: /tmp/x } }\nsweep: { disk: [r] }', "'disks.r.path'", '"/tmp/x"', 'path is only for kind: host'],
  ['unknown workload field', 'name: x\nworkload: { durations: 2s }', "'workload.durations'", '"2s"', 'allowed: engine, mix, ratio'],
  ['size without unit known', 'name: x\nworkload: { fileSize: 4KB9 }', "'workload.fileSize'", '"4KB9"', '4KiB, 1MiB'],
  ['unknown size unit', 'name: x\nsweep: { fileSize: [4KiB, 3XB] }', "'sweep.fileSize[1]'", '"3XB"', 'a size such as'],
  ['size too small for the body header', 'name: x\nworkload: { fileSize: 16 }', "'workload.fileSize'", '16', 'from 32 bytes'],
  ['bad duration', 'name: x\nworkload: { duration: 10 sec }', "'workload.duration'", '"10 sec"', 'a duration such as 500ms'],
  ['threads not a whole number', 'name: x\nsweep: { threads: [1, 2.5] }', "'sweep.threads[1]'", '2.5', 'whole number from 1 to 1024'],
  ['threads zero', 'name: x\nserver: { threads: 0 }', "'server.threads'", '0', 'whole number from 1 to 1024'],
  ['empty sweep list', 'name: x\nsweep: { threads: [] }', "'sweep.threads'", '[]', 'at least one value'],
  ['sweep value not a list', 'name: x\nsweep: { threads: 4 }', "'sweep.threads'", '4', 'a list of values'],
  ['bad log mode', 'name: x\nsweep: { log: [off, verbose] }', "'sweep.log[1]'", '"verbose"', 'one of off, meta, full'],
  ['bad lock', 'name: x\nserver: { lock: none }', "'server.lock'", '"none"', 'one of global, file'],
  ['bad mix', 'name: x\nworkload: { mix: delete }', "'workload.mix'", '"delete"', 'one of put, get, head, mixed'],
  ['bad files', 'name: x\nworkload: { files: shared }', "'workload.files'", '"shared"', 'distinct or shared:K'],
  ['bad ratio key', 'name: x\nworkload: { mix: mixed, ratio: { post: 1 } }', "'workload.ratio.post'", '1', 'allowed: get, put, head'],
  ['mixed without ratio', 'name: x\nworkload: { mix: mixed }', "'workload.ratio'", 'nothing', 'needs a ratio'],
  ['ratio without mixed', 'name: x\nworkload: { ratio: { get: 1 } }', "'workload.ratio'", '{"get":1}', 'mix: mixed only'],
  ['swept and fixed', 'name: x\nserver: { threads: 2 }\nsweep: { threads: [1, 2] }', "'sweep.threads'", '[1,2]', 'set it in one place'],
  ['duplicate sweep value', 'name: x\nsweep: { threads: [1, 1] }', "'sweep.threads[1]'", '1', 'twice'],
  ['unknown disk', 'name: x\nsweep: { disk: [ram, tape9] }', "'sweep.disk[1]'", '"tape9"', 'defined: ram; presets: hdd, sata-ssd, sd-card'],
  ['bad disk kind', 'name: x\ndisks: { hdd: { kind: tape, size: 1GiB } }', "'disks.hdd.kind'", '"tape"', 'one of ram, throttled, host'],
  ['limit on a ram disk', 'name: x\ndisks: { r2: { kind: ram, size: 1GiB, writeBps: 10MB } }', "'disks.r2.writeBps'", '"10MB"', 'throttled only'],
  ['unknown disk field', 'name: x\ndisks: { hdd: { kind: throttled, size: 1GiB, speed: 1 } }', "'disks.hdd.speed'", '1', 'allowed: kind, size'],
  ['command and impl', 'name: x\nserver: { impl: reference, command: [a, "{port}"] }', "'server.impl'", '"reference"', 'not both'],
  ['command without port', 'name: x\nserver: { command: [./httpserver] }', "'server.command'", '["./httpserver"]', '{port} placeholder'],
  ['command varying a reference option', 'name: x\nserver: { command: [s, "{port}"] }\nsweep: { lock: [global, file] }', "'sweep.lock'", '["global","file"]', 'option of the reference server'],
  ['command with meta log', 'name: x\nserver: { command: [s, "{port}", -l, "{log}"], log: meta }', "'server.log'", '"meta"', 'off or full'],
  ['command logging without {log}', 'name: x\nserver: { command: [s, "{port}"] }\nsweep: { log: [off, full] }', "'server.command'", '["s","{port}"]', 'no {log} placeholder'],
  ['unknown expectation', 'name: x\nexpect: [ { slower: {} } ]', "'expect[0]'", '{"slower":{}}', 'speedup: { threads: N'],
  ['speedup without bounds', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { speedup: { threads: 4 } } ]', "'expect[0].speedup'", '{"threads":4}', 'atLeast'],
  ['speedup at an unswept thread count', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { speedup: { threads: 8, atLeast: 2 } } ]', "'expect[0].speedup.threads'", '8', 'threads takes 1, 4'],
  ['where on an unknown parameter', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { where: { colour: red }, speedup: { threads: 4, atMost: 2 } } ]', "'expect[0].where.colour'", '"red"', 'allowed: threads, fileSize'],
  ['where on a value never run', 'name: x\nsweep: { log: [off, full] }\nexpect: [ { faster: { where: { log: meta }, than: { log: full } } } ]', "'expect[0].faster.where.log'", '"meta"', 'log takes off, full'],
  ['faster with a bad by', 'name: x\nsweep: { log: [off, full] }\nexpect: [ { faster: { where: { log: off }, than: { log: full }, by: -1 } } ]', "'expect[0].faster.by'", '-1', 'above 0'],
  ['repetitions zero', 'name: x\nworkload: { repetitions: 0 }', "'workload.repetitions'", '0', 'from 1 to 100'],
  ['io-delay not a duration', 'name: x\nserver: { ioDelay: fast }', "'server.ioDelay'", '"fast"', 'a duration such as 500ms'],
  ['log-delay for a command server', 'name: x\nserver: { command: [s, "{port}"], logDelay: 2ms }', "'server.logDelay'", '"2ms"', 'option of the reference server'],
  ['requests and duration', 'name: x\nworkload: { requests: 10, duration: 2s }', "'workload.requests'", '10', 'not both'],
  ['unknown finding kind', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { finding: { kind: slow } } ]', "'expect[0].finding.kind'", '"slow"', 'one of disk-bound, cpu-bound'],
  ['finding on one thread count', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { where: { threads: 4 }, finding: { kind: disk-bound } } ]', "'expect[0].where.threads'", '4', 'a whole series'],
  ['finding without a thread sweep', 'name: x\nexpect: [ { finding: { kind: scales } } ]', "'expect[0].finding'", '{"kind":"scales"}', 'sweep.threads'],
  ['unknown finding field', 'name: x\nsweep: { threads: [1, 4] }\nexpect: [ { finding: { kind: scales, absent: true } } ]', "'expect[0].finding.absent'", 'true', 'allowed: kind, present'],
  ['total of an unknown field', 'name: x\nexpect: [ { total: { of: bytes, atMost: 0 } } ]', "'expect[0].total.of'", '"bytes"', 'one of logBytes'],
  ['total without bounds', 'name: x\nexpect: [ { total: { of: logBytes } } ]', "'expect[0].total'", '{"of":"logBytes"}', 'atLeast'],
  ['unknown client field', 'name: x\nclient: { keepalive: true }', "'client.keepalive'", 'true', 'allowed: connection, names, body, seedConnections'],
  ['bad client connection', 'name: x\nclient: { connection: pipelined }', "'client.connection'", '"pipelined"', 'keep-alive, close or auto'],
  ['client names without an alphabet', 'name: x\nclient: { names: { length: 15 } }', "'client.names'", '{"length":15}', 'auto or { length: N, alphabet: alnum | alnum-dash-underscore }'],
  ['client names too short for the files', 'name: x\nclient: { names: { length: 5, alphabet: alnum } }\nworkload: { connections: 32 }', "'client.names'", '{"length":5,"alphabet":"alnum"}', 'names of 5 characters of alnum hold 10 distinct files; this workload needs 32'],
  ['wrk with one request per connection', 'name: x\nclient: { connection: close }\nworkload: { engine: wrk }', "'client'", '{"connection":"close"}', 'wrk cannot send as this server needs: client connection: close'],
  ['wrk with the body after the head', 'name: x\nclient: { body: after-head }\nsweep: { engine: [autocannon, wrk] }', "'client'", '{"body":"after-head"}', "client body: after-head (wrk writes a request's head and body in one write); use engine: autocannon"],
  ['total with a bad size', 'name: x\nexpect: [ { total: { of: logBytes, atLeast: lots } } ]', "'expect[0].total.atLeast'", '"lots"', 'a size such as'],
];

describe('experiment validation errors name the file, the field, the value and what is allowed', () => {
  it.each(CASES)('%s', (_what, yaml, field, value, allowed) => {
    const msg = errorOf(yaml);
    const line = msg.split('\n').find((l) => l.includes(`field ${field}`));
    expect(line, msg).toBeDefined();
    expect(line!.startsWith(`${F}: `)).toBe(true);
    expect(line).toContain(`got ${value}`);
    expect(line).toContain(allowed);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(errorOf('name: x\nsweep: { threads: [1, 2 }\n')).toMatch(/^exp\.yaml: not valid YAML at line \d+/);
  });

  it('reports several problems at once, one per line', () => {
    expect(errorOf('name: x\nserver: { threads: 0, lock: none }').split('\n')).toHaveLength(2);
  });
});

describe('a valid experiment', () => {
  it('resolves units, defaults and the sweep order', () => {
    const exp = parseExperiment(
      'name: ok\nsweep: { log: [off, full], threads: [1, 2] }\nworkload: { fileSize: 1MiB, duration: 500ms, warmup: 0s, files: "shared:3", mix: mixed, ratio: { get: 9, put: 1 } }\ndisks: { ram: { kind: ram, size: 1GiB } }',
      F,
    );
    expect(exp.sweep.map((s) => s.key)).toEqual(['log', 'threads']);
    expect(exp.fixed.fileSize).toBe(1024 * 1024);
    expect(exp.workload).toMatchObject({ durationS: 0.5, warmupS: 0, files: { kind: 'shared', count: 3 }, ratio: { get: 9, put: 1, head: 0 } });
    expect(exp.disks.ram!.sizeBytes).toBe(1024 ** 3);
    expect(exp.server.impl).toEqual({ kind: 'reference' });
  });

  it('normalizes expectation selections like the sweep values', () => {
    const exp = parseExperiment('name: ok\nsweep: { threads: [1, 2], fileSize: [4KiB, 1MiB] }\nexpect: [ { where: { fileSize: 4KiB }, speedup: { threads: 2, atLeast: 1 } } ]', F);
    expect(exp.expect[0]).toMatchObject({ where: { fileSize: 4096 } });
  });
});
