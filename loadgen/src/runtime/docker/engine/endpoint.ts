// Which Docker engine a name means: a host URL (unix://, tcp://, ssh://) or the name of a Docker
// context (`docker context create NAME --docker host=...`), read from the CLI's own context store
// ($DOCKER_CONFIG or ~/.docker), TLS material included. No name means what the docker CLI would
// use: DOCKER_HOST, DOCKER_CONTEXT, the current context of $DOCKER_CONFIG/config.json, the default
// socket; and then, where the CLI would stop, the sockets rootless Docker, Docker Desktop and
// colima make, when one exists. Every endpoint says why it was chosen (`why`).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError } from '../../../errors.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** how to reach one engine: what dockerode's constructor takes, and the words that name it */
export interface EngineEndpoint {
  /** what the user wrote (a context name or a URL); 'default' for DOCKER_HOST or the local socket */
  name: string;
  /** the engine's address as a URL: unix:///..., tcp://host:port, ssh://user@host */
  url: string;
  /** the machine the engine runs on, as far as the URL tells: undefined for a unix socket (this one) */
  remoteHost?: string;
  /** why this engine: 'DOCKER_HOST', "current context 'x' in ...", 'rootless socket; ...' */
  why: string;
  /**
   * the user named this engine (a flag, DOCKER_HOST, DOCKER_CONTEXT, a current context): when it
   * does not answer, that is an error, never a reason to run without Docker
   */
  configured: boolean;
  options: {
    socketPath?: string;
    host?: string;
    port?: number;
    protocol?: 'http' | 'https' | 'ssh';
    username?: string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    sshOptions?: { agent?: string };
  };
}

interface Tls { ca?: Buffer; cert?: Buffer; key?: Buffer }

function configDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(homedir(), '.docker');
}

function readTls(dir: string): Tls | undefined {
  const file = (name: string) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name)) : undefined);
  const tls = { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
  return tls.cert && tls.key ? tls : undefined;
}

type Address = Omit<EngineEndpoint, 'why' | 'configured'>;

function fromUrl(name: string, url: string, tls: Tls | undefined, env: NodeJS.ProcessEnv): Address {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length) || DEFAULT_SOCKET;
    return { name, url: `unix://${socketPath}`, options: { socketPath } };
  }
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  } catch {
    throw new CliError(`engine '${name}': '${url}' is not an engine address; expected unix:///PATH, tcp://HOST:PORT or ssh://USER@HOST`, 2);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.protocol === 'ssh:') {
    return {
      name, url: parsed.href, remoteHost: host,
      options: {
        protocol: 'ssh', host, port: Number(parsed.port || 22),
        ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
        ...(env.SSH_AUTH_SOCK && { sshOptions: { agent: env.SSH_AUTH_SOCK } }),
      },
    };
  }
  if (parsed.protocol !== 'tcp:' && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`engine '${name}': '${parsed.protocol}' engines are not supported; expected unix://, tcp:// or ssh://`, 2);
  }
  const port = Number(parsed.port || (tls ? 2376 : 2375));
  const https = Boolean(tls) || parsed.protocol === 'https:' || port === 2376;
  if (https && !tls) {
    throw new CliError(`engine '${name}': ${parsed.host} speaks TLS but no client certificate was found (set DOCKER_CERT_PATH, or use a docker context with --docker "host=...,ca=...,cert=...,key=...")`, 2);
  }
  return { name, url: `tcp://${parsed.host}`, remoteHost: host, options: { host, port, protocol: https ? 'https' : 'http', ...tls } };
}

/** the context store's record of one context (the docker CLI's meta.json) */
function contextEndpoint(name: string, env: NodeJS.ProcessEnv): Address | undefined {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = path.join(configDir(env), 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(meta)) return undefined;
  let host: unknown;
  try {
    host = (JSON.parse(readFileSync(meta, 'utf8')) as { Endpoints?: { docker?: { Host?: unknown } } }).Endpoints?.docker?.Host;
  } catch (err) {
    throw new CliError(`engine '${name}': the docker context's ${meta} is not readable JSON (${(err as Error).message})`, 2, { cause: err });
  }
  if (typeof host !== 'string' || host === '') throw new CliError(`engine '${name}': the docker context names no docker host (${meta})`, 2);
  const tls = readTls(path.join(configDir(env), 'contexts', 'tls', id, 'docker'));
  return { ...fromUrl(name, host, tls, env), name };
}

/** a socket found by looking: label says whose (the default, rootless, Docker Desktop, colima) */
interface SocketPlace { path: string; label: string }

/** where engines put their sockets when nothing names one, in the order they are tried */
function socketPlaces(env: NodeJS.ProcessEnv, defaultSocket = DEFAULT_SOCKET): SocketPlace[] {
  const home = env.HOME || homedir();
  return [
    { path: defaultSocket, label: 'default socket' },
    ...(env.XDG_RUNTIME_DIR ? [{ path: path.join(env.XDG_RUNTIME_DIR, 'docker.sock'), label: 'rootless socket' }] : []),
    { path: path.join(home, '.docker', 'run', 'docker.sock'), label: 'Docker Desktop socket' },
    { path: path.join(home, '.docker', 'desktop', 'docker.sock'), label: 'Docker Desktop socket' },
    { path: path.join(home, '.colima', 'default', 'docker.sock'), label: 'colima socket' },
    { path: path.join(home, '.colima', 'docker.sock'), label: 'colima socket' },
  ];
}

/** config.json's currentContext, and the file's path; undefined when it names none (or 'default') */
function currentContext(env: NodeJS.ProcessEnv): { name: string; file: string } | undefined {
  const file = path.join(configDir(env), 'config.json');
  if (!existsSync(file)) return undefined;
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown }).currentContext;
  } catch (err) {
    throw new CliError(`choosing the Docker engine: ${file} is not readable JSON (${(err as Error).message}); fix it, or name the engine with DOCKER_HOST`, 2, { cause: err });
  }
  return typeof name === 'string' && name !== '' && name !== 'default' ? { name, file } : undefined;
}

function namedContext(name: string, why: string, env: NodeJS.ProcessEnv): EngineEndpoint {
  const context = contextEndpoint(name, env);
  if (!context) {
    throw new CliError(`choosing the Docker engine: ${why} names docker context '${name}', but ${path.join(configDir(env), 'contexts')} has no such context; create it ('docker context create ${name} --docker host=...'), or pick one that exists ('docker context ls')`, 2);
  }
  return { ...context, why, configured: true };
}

/**
 * the engine the docker CLI would talk to: DOCKER_HOST, DOCKER_CONTEXT, the current context, the
 * default socket; where the CLI would stop at a missing default socket, the first of the rootless,
 * Docker Desktop and colima sockets that exists (the default socket when none does)
 */
export function defaultEndpoint(env: NodeJS.ProcessEnv, defaultSocket = DEFAULT_SOCKET): EngineEndpoint {
  const host = env.DOCKER_HOST;
  if (host) {
    const tls = env.DOCKER_CERT_PATH ? readTls(env.DOCKER_CERT_PATH) : undefined;
    return { ...fromUrl(host, host, tls, env), name: 'default', why: 'DOCKER_HOST', configured: true };
  }
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return namedContext(env.DOCKER_CONTEXT, `DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`, env);
  // DOCKER_CONTEXT=default means the default engine even when config.json names another
  const current = env.DOCKER_CONTEXT === 'default' ? undefined : currentContext(env);
  if (current) return namedContext(current.name, `current context '${current.name}' in ${current.file}`, env);
  const unset = 'DOCKER_HOST unset, no current context';
  const places = socketPlaces(env, defaultSocket);
  const found = places.find((p) => existsSync(p.path));
  if (!found) {
    return {
      name: 'default', url: `unix://${defaultSocket}`, options: { socketPath: defaultSocket }, configured: false,
      why: `default socket; ${unset}; no socket at ${places.map((p) => p.path).join(', ')}`,
    };
  }
  const missing = found.path === defaultSocket ? '' : `, no ${defaultSocket}`;
  return { name: 'default', url: `unix://${found.path}`, options: { socketPath: found.path }, configured: false, why: `${found.label}; ${unset}${missing}` };
}

/**
 * resolves an engine's name: undefined or 'default' → defaultEndpoint; a URL → that address;
 * anything else → the docker context of that name (an error when there is none). `flag` names the
 * option the name came from, for `why`.
 */
export function resolveEndpoint(name: string | undefined, env: NodeJS.ProcessEnv = process.env, flag = 'the engine named'): EngineEndpoint {
  if (name === undefined || name === '' || name === 'default') return defaultEndpoint(env);
  if (/^[a-z]+:\/\//.test(name)) return { ...fromUrl(name, name, env.DOCKER_CERT_PATH ? readTls(env.DOCKER_CERT_PATH) : undefined, env), why: flag, configured: true };
  const context = contextEndpoint(name, env);
  if (!context) {
    throw new CliError(`engine '${name}': no such docker context in ${path.join(configDir(env), 'contexts')} and not an address; give unix:///PATH, tcp://HOST:PORT, ssh://USER@HOST or a context name ('docker context ls')`, 2);
  }
  return { ...context, why: `${flag}: docker context`, configured: true };
}
