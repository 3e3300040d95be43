// Which Docker engine a name means: a host URL (unix://, tcp://, ssh://) or the name of a Docker
// context (`docker context create NAME --docker host=...`), read from the CLI's own context store
// ($DOCKER_CONFIG or ~/.docker), TLS material included. No name means DOCKER_HOST, else the local
// socket, as the docker CLI does.
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

function fromUrl(name: string, url: string, tls: Tls | undefined, env: NodeJS.ProcessEnv): EngineEndpoint {
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
function contextEndpoint(name: string, env: NodeJS.ProcessEnv): EngineEndpoint | undefined {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = path.join(configDir(env), 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(meta)) return undefined;
  let host: unknown;
  try {
    host = (JSON.parse(readFileSync(meta, 'utf8')) as { Endpoints?: { docker?: { Host?: unknown } } }).Endpoints?.docker?.Host;
  } catch (err) {
    throw new CliError(`engine '${name}': the docker context's ${meta} is not readable JSON (${(err as Error).message})`, 2);
  }
  if (typeof host !== 'string' || host === '') throw new CliError(`engine '${name}': the docker context names no docker host (${meta})`, 2);
  const tls = readTls(path.join(configDir(env), 'contexts', 'tls', id, 'docker'));
  return { ...fromUrl(name, host, tls, env), name };
}

/** DOCKER_HOST (with DOCKER_CERT_PATH), or the local socket */
function defaultEndpoint(env: NodeJS.ProcessEnv): EngineEndpoint {
  const host = env.DOCKER_HOST;
  if (!host) return { name: 'default', url: `unix://${DEFAULT_SOCKET}`, options: { socketPath: DEFAULT_SOCKET } };
  const tls = env.DOCKER_CERT_PATH ? readTls(env.DOCKER_CERT_PATH) : undefined;
  return { ...fromUrl(host, host, tls, env), name: 'default' };
}

/**
 * resolves an engine's name: undefined or 'default' → DOCKER_HOST or the local socket; a URL →
 * that address; anything else → the docker context of that name (an error when there is none)
 */
export function resolveEndpoint(name: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  if (name === undefined || name === '' || name === 'default') return defaultEndpoint(env);
  if (/^[a-z]+:\/\//.test(name)) return fromUrl(name, name, env.DOCKER_CERT_PATH ? readTls(env.DOCKER_CERT_PATH) : undefined, env);
  const context = contextEndpoint(name, env);
  if (!context) {
    throw new CliError(`engine '${name}': no such docker context in ${path.join(configDir(env), 'contexts')} and not an address; give unix:///PATH, tcp://HOST:PORT, ssh://USER@HOST or a context name ('docker context ls')`, 2);
  }
  return context;
}
