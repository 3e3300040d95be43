#!/usr/bin/env node
import { parseServerArgs, USAGE, UsageError } from './options.js';
import { startServer, StartupError } from './server.js';

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
    if (err instanceof UsageError) {
      console.error(`speedlab-server: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
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
    if (err instanceof StartupError) {
      console.error(`speedlab-server: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

void main();
