// Running one classic-builder build through the API and waiting for its end. The classic
// builder needs no registry access for FROM images already present (BuildKit would try to
// resolve them), and networkmode 'none' keeps RUN steps off any network.
import type Docker from 'dockerode';

export interface BuildOptions {
  tag: string;
  dockerfile: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  /** called with each line the builder prints */
  onLine?: (line: string) => void;
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** builds and resolves with the image id; rejects with the builder's own error message */
export async function buildImage(docker: Docker, context: NodeJS.ReadableStream, opts: BuildOptions): Promise<string> {
  const stream = await docker.buildImage(context, {
    t: opts.tag,
    dockerfile: opts.dockerfile,
    buildargs: opts.buildargs ?? {},
    labels: opts.labels ?? {},
    networkmode: 'none',
    rm: true,
    forcerm: true,
    version: '1',
  } as Docker.ImageBuildOptions);
  return new Promise((resolve, reject) => {
    let imageId = '';
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(new Error(`image build of ${opts.tag} failed: ${err.message}`));
        else if (!imageId) reject(new Error(`image build of ${opts.tag} ended without an image id`));
        else resolve(imageId);
      },
      (event: BuildEvent) => {
        if (event.aux?.ID) imageId = event.aux.ID;
        if (event.error || event.errorDetail) {
          // followProgress reports these as err too; keep the builder's text for the message
          opts.onLine?.(`error: ${event.errorDetail?.message ?? event.error}`);
        }
        if (event.stream) {
          for (const line of event.stream.split('\n')) if (line.trim()) opts.onLine?.(line);
        }
      },
    );
  });
}

/** the labels of an image, or undefined when the engine has no such image */
export async function imageLabels(docker: Docker, name: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await docker.getImage(name).inspect();
    return (info.Config?.Labels ?? {}) as Record<string, string>;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}
