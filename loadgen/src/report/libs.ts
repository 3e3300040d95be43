// The vega, vega-lite and vega-embed browser bundles, read from each package's build/ directory
// so the report can inline them and work offline.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptText } from './html.js';
import type { Html } from './html-template.js';

export interface InlineLibrary {
  name: string;
  version: string;
  /** minified UMD bundle, made safe to place inside <script> */
  source: Html;
}

const BUNDLES = [
  { name: 'vega', file: 'vega.min.js' },
  { name: 'vega-lite', file: 'vega-lite.min.js' },
  { name: 'vega-embed', file: 'vega-embed.min.js' },
] as const;

let cached: Promise<InlineLibrary[]> | null = null;

/** In load order: vega-embed's bundle expects the vega and vegaLite globals. */
export function inlineLibraries(): Promise<InlineLibrary[]> {
  cached ??= Promise.all(BUNDLES.map(readBundle)).catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function readBundle(bundle: (typeof BUNDLES)[number]): Promise<InlineLibrary> {
  // Each package's main entry sits in its build/ directory, next to the browser bundle.
  const buildDir = dirname(fileURLToPath(import.meta.resolve(bundle.name)));
  const [source, pkg] = await Promise.all([
    readFile(join(buildDir, bundle.file), 'utf8'),
    readFile(join(buildDir, '..', 'package.json'), 'utf8'),
  ]);
  const declared = (JSON.parse(pkg) as { version?: unknown }).version;
  const version = typeof declared === 'string' ? declared : 'unknown';
  return { name: bundle.name, version, source: scriptText(source) };
}
