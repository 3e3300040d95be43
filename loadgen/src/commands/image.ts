// speedlab image: build (or confirm up to date) the one image every container of the lab uses.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import { connectEngine } from '../runtime/docker/engine/engine.js';
import { ensureImage } from '../runtime/docker/image/image.js';

const HELP = `usage: speedlab image [--base auto|official|local|IMAGE] [--force] [--quiet]

Builds the speedlab image from dist/ and the production node_modules (run npm run build first).
  --base   auto (default): node:20-bookworm-slim when the engine has it or can pull it,
           otherwise a local base built from this host's Node. SPEEDLAB_BASE_IMAGE sets it too.
  --force  rebuild even when nothing changed
  --quiet  print only the result line`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        base: { type: 'string' },
        force: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`image: ${(err as Error).message}`, 2);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  try {
    const docker = await connectEngine();
    const r = await ensureImage(docker, {
      base: values.base,
      force: values.force,
      onLine: values.quiet ? undefined : (line) => console.error(line),
    });
    const what = r.built ? 'built' : 'up to date';
    console.log(`${r.image} ${what} (base ${r.base}${r.baseBuilt ? ', base built' : ''}) in ${r.seconds.toFixed(1)} s`);
    return 0;
  } catch (err) {
    if (err instanceof Error) throw new CliError(err.message);
    throw err;
  }
}
