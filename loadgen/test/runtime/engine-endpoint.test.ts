// Which engine a name means (two engines): addresses, DOCKER_HOST, and docker contexts made by the
// real docker CLI in a store of the test's own (DOCKER_CONFIG), TLS material included.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../src/runtime/docker/engine/endpoint.js';
import { tempDir } from '../fixtures/cli.js';

const work = tempDir('speedlab-endpoint-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function hasDockerCli(): boolean {
  try {
    execFileSync('docker', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** a self-signed CA, and a client key and certificate, as PEM files in dir */
function makeCerts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=lab-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'client.csr', '-subj', '/CN=lab-client');
  run('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '1');
}

describe('engine addresses', () => {
  it('no name: DOCKER_HOST, else the local socket', () => {
    expect(resolveEndpoint(undefined, { HOME: work })).toMatchObject({ name: 'default', url: 'unix:///var/run/docker.sock', options: { socketPath: '/var/run/docker.sock' }, configured: false });
    expect(resolveEndpoint('default', { DOCKER_HOST: 'tcp://box.example:2375' })).toEqual({
      name: 'default', url: 'tcp://box.example:2375', remoteHost: 'box.example', options: { host: 'box.example', port: 2375, protocol: 'http' }, why: 'DOCKER_HOST', configured: true,
    });
  });

  it('unix, ssh and tcp addresses', () => {
    expect(resolveEndpoint('unix:///run/b.sock', {}).options).toEqual({ socketPath: '/run/b.sock' });
    expect(resolveEndpoint('ssh://me@box.example:2222', { SSH_AUTH_SOCK: '/tmp/agent.sock' }, '--server-engine')).toEqual({
      name: 'ssh://me@box.example:2222', url: 'ssh://me@box.example:2222', remoteHost: 'box.example', why: '--server-engine', configured: true,
      options: { protocol: 'ssh', host: 'box.example', port: 2222, username: 'me', sshOptions: { agent: '/tmp/agent.sock' } },
    });
    expect(resolveEndpoint('ssh://box.example', {}).options).toEqual({ protocol: 'ssh', host: 'box.example', port: 22 });
  });

  it('TLS on 2376 needs a client certificate: DOCKER_CERT_PATH gives it, its absence is a clear error', () => {
    expect(() => resolveEndpoint('tcp://box.example:2376', {})).toThrow(
      "engine 'tcp://box.example:2376': box.example:2376 speaks TLS but no client certificate was found (set DOCKER_CERT_PATH",
    );
    const certs = path.join(work, 'env-certs');
    makeCerts(certs);
    const e = resolveEndpoint('tcp://box.example:2376', { DOCKER_CERT_PATH: certs });
    expect(e.options).toMatchObject({ host: 'box.example', port: 2376, protocol: 'https' });
    expect(e.options.cert?.toString()).toBe(readFileSync(path.join(certs, 'cert.pem'), 'utf8'));
  });

  it('what is not an address or a context: exit 2 and what is expected', () => {
    expect(() => resolveEndpoint('ftp://box', {})).toThrow("engine 'ftp://box': 'ftp:' engines are not supported; expected unix://, tcp:// or ssh://");
    const err = (() => {
      try {
        resolveEndpoint('nowhere', { DOCKER_CONFIG: path.join(work, 'empty') });
      } catch (e) {
        return e as { exitCode: number; message: string };
      }
      return undefined;
    })();
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe(`engine 'nowhere': no such docker context in ${path.join(work, 'empty', 'contexts')} and not an address; give unix:///PATH, tcp://HOST:PORT, ssh://USER@HOST or a context name ('docker context ls')`);
  });
});

describe.skipIf(!hasDockerCli())('docker contexts, as the docker CLI stores them', () => {
  const config = path.join(work, 'docker-config');
  const docker = (...args: string[]) => execFileSync('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, stdio: 'ignore' });

  it('a socket context and an ssh one resolve to their hosts', () => {
    docker('context', 'create', 'second', '--docker', 'host=unix:///run/speedlab-engine-b.sock');
    docker('context', 'create', 'far', '--docker', 'host=ssh://me@far.example');
    expect(resolveEndpoint('second', { DOCKER_CONFIG: config })).toEqual({
      name: 'second', url: 'unix:///run/speedlab-engine-b.sock', options: { socketPath: '/run/speedlab-engine-b.sock' }, why: 'the engine named: docker context', configured: true,
    });
    expect(resolveEndpoint('far', { DOCKER_CONFIG: config })).toMatchObject({ name: 'far', remoteHost: 'far.example', options: { protocol: 'ssh', host: 'far.example', username: 'me' } });
  });

  it('a TLS context carries its CA, certificate and key', () => {
    const certs = path.join(work, 'ctx-certs');
    makeCerts(certs);
    docker('context', 'create', 'tls-box', '--docker', `host=tcp://tls.example:2376,ca=${certs}/ca.pem,cert=${certs}/cert.pem,key=${certs}/key.pem`);
    const e = resolveEndpoint('tls-box', { DOCKER_CONFIG: config });
    expect(e).toMatchObject({ name: 'tls-box', url: 'tcp://tls.example:2376', remoteHost: 'tls.example', options: { host: 'tls.example', port: 2376, protocol: 'https' } });
    expect(e.options.ca?.toString()).toBe(readFileSync(path.join(certs, 'ca.pem'), 'utf8'));
    expect(e.options.key?.toString()).toBe(readFileSync(path.join(certs, 'key.pem'), 'utf8'));
  });
});
