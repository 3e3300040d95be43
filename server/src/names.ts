/** The course's rule for file names: `/` then 1–27 characters of [A-Za-z0-9_-]. */
const NAME = /^\/([A-Za-z0-9_-]{1,27})$/;

/** Returns the bare name for a valid request target, or null. */
export function parseTarget(target: string): string | null {
  const m = NAME.exec(target);
  return m ? m[1]! : null;
}

export const HEALTHCHECK = 'healthcheck';
