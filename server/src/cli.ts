#!/usr/bin/env node
import { ServerError, UsageError } from './errors.js';
import { parseServerArgs, USAGE } from './options.js';
import { startServer } from './server.js';

/** the server's own errors: the message (with the usage for a usage error) and its exit code */
function exitOn(err: unknown): never {
  if (!(err instanceof ServerError)) throw err;
  console.error(`speedlab-server: ${err.message}${err instanceof UsageError ? `\n\n${USAGE}` : ''}`);
  process.exit(err.exitCode);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let opts;
  try {
    opts = parseServerArgs(argv);
  } catch (err) {
    exitOn(err);
  }
  try {
    const server = await startServer(opts);
    console.log(`listening on ${opts.host}:${server.port}`);
    const stop = () => {
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    exitOn(err);
  }
}

void main();
