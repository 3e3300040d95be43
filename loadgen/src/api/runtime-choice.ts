// --runtime auto|local|docker. The docker runtime is loaded only when asked for (or tried by
// auto), so the local runtime works where dockerode or an engine is missing. auto runs locally
// only when no engine was named: an engine the user configured (--engine, DOCKER_HOST,
// DOCKER_CONTEXT, a current docker context) that does not answer stops the run.
import { CliError, EngineUnreachableError } from '../errors.js';
import { resolveEndpoint } from '../runtime/docker/engine/endpoint.js';
import { createLocalRuntime, type LocalOptions } from '../runtime/local/runtime.js';
import type { Runtime } from '../runtime/types.js';

export type RuntimeChoice = 'auto' | 'local' | 'docker';

/** the docker runtime's options (runtime/docker/runtime.ts); without note and say it prints its lines to stderr */
interface DockerChoice {
  engine?: string;
  engines?: { server?: string; loadgen?: string; address?: string; bind?: string; port?: number };
  /** its progress lines, without the 'docker: ' prefix it prints them with */
  note?: (line: string) => void;
  /** lines of their own (the engine line) */
  say?: (line: string) => void;
}
interface DockerModule { createDockerRuntime(opts?: DockerChoice): Promise<Runtime> }

// a variable specifier: the module is written separately and may not be built yet
const DOCKER_MODULE = '../runtime/docker/runtime.js';
const ENGINE_MODULE = '../runtime/docker/engine/engine.js';
interface EngineModule { connectEngine(): Promise<unknown> }

async function docker(opts: DockerChoice = {}): Promise<Runtime> {
  let mod: DockerModule;
  try {
    mod = (await import(DOCKER_MODULE)) as DockerModule;
  } catch (err) {
    throw new Error(`the docker runtime is not built in (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  try {
    return await mod.createDockerRuntime(opts);
  } catch (err) {
    // the engine stopped answering while the runtime was set up: report that (it throws), not the socket error
    if (!(err instanceof EngineUnreachableError) && !(err instanceof CliError) && !opts.engines) await ((await import(ENGINE_MODULE)) as EngineModule).connectEngine();
    throw err;
  }
}

/**
 * @param preferLocal auto picks local without trying docker (a `command:` server runs locally)
 * @param note tells the user which runtime auto chose and why
 */
export async function createRuntime(choice: RuntimeChoice, local: LocalOptions, preferLocal: boolean, note: (text: string) => void, dockerOpts?: DockerChoice): Promise<Runtime> {
  if (choice === 'local') return createLocalRuntime(local);
  if (choice === 'docker') {
    try {
      return await docker(dockerOpts);
    } catch (err) {
      if (err instanceof CliError) throw err;
      const unreachable = err instanceof EngineUnreachableError;
      throw new CliError(`--runtime docker: ${(err as Error).message.split('\n')[0]}${unreachable ? '; or run without Docker: --runtime local' : ''}`, 1, { cause: err });
    }
  }
  if (preferLocal) {
    note('runtime: local (the server is a local command)');
    return createLocalRuntime(local);
  }
  const where = resolveEndpoint(dockerOpts?.engine, process.env, '--engine');
  try {
    const rt = await docker(dockerOpts);
    note('runtime: docker');
    return rt;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    if (err instanceof CliError) throw err;
    if (where.configured) {
      const what = err instanceof EngineUnreachableError ? `does not answer (${err.reason})` : `cannot be used: ${why}`;
      throw new CliError(`the Docker engine at ${where.url} (${where.why}) ${what}; start it, or choose another (unset DOCKER_HOST and DOCKER_CONTEXT, 'docker context use default', --engine), or run without Docker: --runtime local`, 1, { cause: err });
    }
    note(`runtime: local (docker unavailable: ${why})`);
    return createLocalRuntime(local);
  }
}
