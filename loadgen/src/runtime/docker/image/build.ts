// Running one classic-builder build through the API and waiting for its end. The classic
// builder needs no registry access for FROM images already present (BuildKit would try to
// resolve them), and networkmode 'none' keeps RUN steps off any network.
import type { DockerEngine, ImageBuildOptions } from '../engine/engine.js';

interface BuildOptions {
  tag: string;
  dockerfile: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  /** called with each line the builder prints */
  onLine?: (line: string) => void;
}

/** builds and resolves with the image id; rejects with the builder's own error message */
export async function buildImage(docker: DockerEngine, context: NodeJS.ReadableStream, opts: BuildOptions): Promise<string> {
  let imageId = '';
  const options = {
    t: opts.tag,
    dockerfile: opts.dockerfile,
    buildargs: opts.buildargs ?? {},
    labels: opts.labels ?? {},
    networkmode: 'none',
    rm: true,
    forcerm: true,
    version: '1',
  } as ImageBuildOptions;
  const end = await docker.buildImage(context, options, (event) => {
    if (event.aux?.ID) imageId = event.aux.ID;
    if (event.error || event.errorDetail) {
      // the build's result carries the first of these as its error too
      opts.onLine?.(`error: ${event.errorDetail?.message ?? event.error}`);
    }
    if (event.stream) {
      for (const line of event.stream.split('\n')) if (line.trim()) opts.onLine?.(line);
    }
  });
  if (!end.ok) throw new Error(`image build of ${opts.tag} failed: ${end.error}`);
  if (!imageId) throw new Error(`image build of ${opts.tag} ended without an image id`);
  return imageId;
}

/** the labels of an image, or undefined when the engine has no such image */
export async function imageLabels(docker: DockerEngine, name: string): Promise<Record<string, string> | undefined> {
  return (await docker.inspectImage(name))?.labels;
}
