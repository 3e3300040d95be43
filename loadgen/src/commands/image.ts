// speedlab image: build (or confirm up to date) the one image every container of the lab uses.
import { CliError } from '../errors.js';
import { connectEngine } from '../runtime/docker/engine/engine.js';
import { ensureImage } from '../runtime/docker/image/image.js';
import { IMAGE } from './definitions.js';

export async function main(argv: string[]): Promise<number> {
  const values = IMAGE.parse(argv)?.values;
  if (!values) return 0;
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
    if (err instanceof Error) throw new CliError(err.message, 1, { cause: err });
    throw err;
  }
}
