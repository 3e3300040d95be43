// An experiment file cannot give the server container privileges, host mounts or networks: the
// schema rejects every such field by name, and a user's own image that asks for root (USER root)
// still runs as uid 1000 with a read-only root, no capabilities, no privilege gain and no network
// but loopback (DESIGN §4), checked from outside (docker inspect, /proc) and from inside (the
// server's own report of what it could do).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { parseExperiment } from '../../src/experiment/load.js';
import { IMAGE } from '../../src/runtime/docker/engine/labels.js';
import { runCli, sleep, startCli, tempDir, uniqueSeed, writeExperiment } from '../fixtures/cli.js';
import { docker, ensureTestImage, HAVE_DOCKER } from '../docker/engine.js';
import { records, serverContainer } from '../faults/helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BYO = 'server: { image: my/httpserver, command: [httpserver, "{port}", -N, "{threads}"]';

/** the message parseExperiment gives, or '' when the text is accepted */
function rejection(yaml: string): string {
  try {
    parseExperiment(`name: x\n${yaml}\n`, 'x.yaml');
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
}

describe('the experiment schema', () => {
  const smuggled: [string, string][] = [
    ['server.privileged', `${BYO}, privileged: true }`],
    ['server.capAdd', `${BYO}, capAdd: [SYS_ADMIN] }`],
    ['server.cap_add', `${BYO}, cap_add: [ALL] }`],
    ['server.volumes', `${BYO}, volumes: ["/:/host"] }`],
    ['server.mounts', `${BYO}, mounts: [{ type: bind, source: /, target: /host }] }`],
    ['server.binds', `${BYO}, binds: ["/var/run/docker.sock:/var/run/docker.sock"] }`],
    ['server.network', `${BYO}, network: host }`],
    ['server.networkMode', `${BYO}, networkMode: host }`],
    ['server.network_mode', `${BYO}, network_mode: bridge }`],
    ['server.devices', `${BYO}, devices: [/dev/sda] }`],
    ['server.user', `${BYO}, user: root }`],
    ['server.securityOpt', `${BYO}, securityOpt: [seccomp=unconfined] }`],
    ['server.pid', `${BYO}, pid: host }`],
    ['server.hostConfig', `${BYO}, hostConfig: { Privileged: true } }`],
    ['server.entrypoint', `${BYO}, entrypoint: [sh] }`],
    ['server.env', `${BYO}, env: { LD_PRELOAD: /x.so } }`],
    ['server.readOnly', `${BYO}, readOnly: false }`],
    ['docker', `${BYO} }\ndocker: { privileged: true }`],
    ['hostConfig', `${BYO} }\nhostConfig: { NetworkMode: host }`],
    ['disks.d.device', `${BYO} }\ndisks: { d: { kind: ram, size: 8MiB, device: /dev/sda } }`],
    ['disks.d.options', `${BYO} }\ndisks: { d: { kind: ram, size: 8MiB, options: "exec,suid" } }`],
    ['workload.network', `${BYO} }\nworkload: { network: host }`],
  ];

  it.each(smuggled)('rejects %s, naming the field', (field, yaml) => {
    const msg = rejection(yaml);
    expect(msg).toContain(`field '${field}'`);
    expect(msg).toContain('not a known field');
  });

  it('accepts the same image and command without them', () => {
    expect(rejection(`${BYO} }`)).toBe('');
  });

  it('the CLI refuses such a file before touching any runtime, with an error naming the field', async () => {
    const file = writeExperiment(work, 'smuggle', `name: smuggle\n${BYO}, privileged: true, volumes: ["/:/host"] }\n`);
    const r = await runCli(['run', file, '--runtime', 'docker', '--out', path.join(work, 'smuggle-out')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("field 'server.privileged': got true; not a known field");
    expect(r.stderr).toContain("field 'server.volumes'");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a host disk (a host bind mount) runs only when the person running it says so', async () => {
    const file = writeExperiment(work, 'hostdisk', `name: hostdisk
sweep: { threads: [1], disk: [mine] }
disks: { mine: { kind: host, size: 64MiB, path: ${path.join(work, 'host-dir')} } }
workload: { duration: 100ms, warmup: 0s, connections: 1 }
`);
    const out = path.join(work, 'hostdisk-out');
    const r = await runCli(['run', file, '--runtime', 'docker', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "speedlab: disk 'mine' is a directory on the host's real disk: it mounts a host directory into the server container and wears an SSD; pass --allow-host-disk to run it anyway",
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(path.join(work, 'host-dir'))).toBe(false);
  });
});

/**
 * a user's server that first reports what the container lets it do (one JSON line on stdout),
 * then serves files like the course's httpserver (PUT via a temporary file and rename)
 */
const PROBE_SERVER = `
const fs = require('fs'), http = require('http'), net = require('net'), os = require('os'), path = require('path');
const port = Number(process.argv[1]);
const status = fs.readFileSync('/proc/self/status', 'utf8');
const field = (k) => new RegExp(k + ':\\\\s*(\\\\S+)').exec(status)[1];
const r = { uid: process.getuid(), gid: process.getgid(), capEff: field('CapEff'), capBnd: field('CapBnd'), noNewPrivs: field('NoNewPrivs') };
try { fs.writeFileSync('/probe', 'x'); r.rootWrite = 'written'; } catch (e) { r.rootWrite = e.code; }
try { process.setuid(0); r.setuid = 'root'; } catch (e) { r.setuid = e.code; }
r.interfaces = Object.keys(os.networkInterfaces()).sort();
const s = net.createServer();
s.once('error', (e) => report(e.code));
s.listen(port + 1, '10.0.0.1', () => { s.close(); report('bound'); });
function report(bind) {
  r.bindNonLoopback = bind;
  console.log('speedlab-probe ' + JSON.stringify(r));
  let n = 0;
  http.createServer((req, res) => {
    const file = path.join(process.cwd(), req.url.slice(1));
    const done = (code, body) => { res.writeHead(code, { 'content-length': body ? body.length : 0 }); res.end(req.method === 'HEAD' ? undefined : body); };
    if (req.method === 'PUT') {
      const tmp = file + '.tmp' + n++;
      const existed = fs.existsSync(file);
      req.pipe(fs.createWriteStream(tmp)).on('finish', () => { fs.renameSync(tmp, file); done(existed ? 200 : 201); }).on('error', () => done(500));
    } else fs.readFile(file, (e, b) => (e ? done(404) : done(200, b)));
  }).listen(port, '127.0.0.1');
}`;

interface Probe {
  uid: number;
  gid: number;
  capEff: string;
  capBnd: string;
  noNewPrivs: string;
  rootWrite: string;
  setuid: string;
  interfaces: string[];
  bindNonLoopback: string;
}

describe.skipIf(!HAVE_DOCKER)("a user's own image that asks for root", () => {
  const tag = `speedlab-test-root:${process.pid}-${uniqueSeed()}`;

  beforeAll(async () => {
    await ensureTestImage();
    // built locally from the lab's image, with no network
    execFileSync('docker', ['build', '--network', 'none', '-q', '-t', tag, '-'], { input: `FROM ${IMAGE}\nUSER root\nLABEL speedlab.test=root-image\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  });

  afterAll(async () => {
    await docker().getImage(tag).remove({ force: true }).catch(() => {});
  });

  it('runs as uid 1000, read-only root, no capabilities, network none, through a whole run', async () => {
    expect((await docker().getImage(tag).inspect()).Config.User).toBe('root');
    const file = writeExperiment(work, 'root-image', `name: root-image
server: { image: "${tag}", command: [node, -e, ${JSON.stringify(PROBE_SERVER)}, "{port}"] }
sweep: { threads: [1], log: [off] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1500ms }
# no check's stages before the point: the first server container is the point's
client: { connection: keep-alive, names: { length: 27, alphabet: alnum-dash-underscore }, body: with-head }
`);
    const out = path.join(work, 'root-image-out');
    const run = startCli(['run', file, '--runtime', 'docker', '--out', out]);
    const server = await serverContainer(docker(), run.child.pid!, 1);
    const container = docker().getContainer(server.id);
    const info = await container.inspect();

    // from outside: what the engine was asked for, and the process as the host kernel sees it
    const hc = info.HostConfig;
    expect(info.Config.Image).toBe(tag);
    expect(info.Config.User).toBe('1000:1000');
    expect(hc.Privileged).toBe(false);
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd ?? []).toEqual([]);
    expect(hc.SecurityOpt).toContain('no-new-privileges');
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.NetworkMode).toBe('none');
    expect(hc.Devices ?? []).toEqual([]);
    expect(hc.Binds ?? []).toEqual([]);
    expect(hc.PidMode ?? '').toBe('');
    expect(info.Mounts.every((m) => m.Type === 'volume' || m.Type === 'tmpfs')).toBe(true);
    // the host kernel's view: the engine runs on this host, as the Docker tests assume
    const proc = `/proc/${info.State.Pid}`;
    expect(readFileSync(`${proc}/cgroup`, 'utf8')).toContain(info.Id);
    const status = readFileSync(`${proc}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);

    // from inside: what the server could do
    let probe: Probe | undefined;
    for (let i = 0; i < 100 && !probe; i++) {
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      const line = /speedlab-probe (\{.*\})/.exec(logs);
      if (line) probe = JSON.parse(line[1]!) as Probe;
      else await sleep(50);
    }
    expect(probe).toEqual({
      uid: 1000,
      gid: 1000,
      capEff: '0000000000000000',
      capBnd: '0000000000000000',
      noNewPrivs: '1',
      rootWrite: 'EROFS',
      setuid: 'EPERM',
      interfaces: ['lo'],
      bindNonLoopback: 'EADDRNOTAVAIL',
    });

    const r = await run.done;
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(records(out).map((x) => x.outcome)).toEqual(['ok']);
    console.log(`security: image with USER root ran as ${JSON.stringify(probe)}`);
  });
});
