// The likely cause of a failure, in words, for the common flaws of course servers: `check` prints
// them under its stages, and `hintFor` finds one for a failed point's message (a pure function, so
// that the sweep can add it to a point's failure).

import { ON_STOP_WORDS, STOP_GRACE_MS } from '../runtime/death.js';

export const HINTS = {
  emptyConnection: 'your server crashed or stopped on a connection that sent nothing: recv() returned 0 and the code went on to parse an empty request (e.g. strcpy of a NULL first token from strtok); treat 0 from recv() as the end of the connection',
  sigpipe: 'your server died writing to a connection the client had closed: without a SIGPIPE handler a write() to a closed socket kills the process. Add signal(SIGPIPE, SIG_IGN) (or send with MSG_NOSIGNAL) and stop writing when write() fails; the lab ends every window by closing connections mid-response',
  droppedBody: 'your server read the head with one recv() and dropped the body bytes that came with it, then waited for the rest of the body; keep the bytes after "\\r\\n\\r\\n" as the start of the body. The lab sends the head and body of a PUT in one write, and under load they arrive together from any client',
  putUnanswered: 'your server did not answer a PUT: either it drops the body bytes that come with the head (read the head with one recv() and kept only the head), or each connection holds a thread until the client closes it, and the lab keeps more connections open than -N; `speedlab check` tells which',
  names: 'the course allows names of 1–27 characters of [A-Za-z0-9_-]: check how your server validates the name (speedlab check finds the names it accepts)',
  stopCrash: `your server crashed as it shut down: the lab stops a server with SIGTERM (SIGKILL ${STOP_GRACE_MS / 1000} s later), and it ended by a signal of its own instead; look at its SIGTERM handler and at what its threads free or join at exit`,
  segfault: 'your server crashed (SIGSEGV); run `speedlab check` on it: it tries the requests a run makes one at a time and names the one that kills it',
} as const;

/** a hint for a failed point's message, or undefined when none of the common causes fits */
export function hintFor(failure: string): string | undefined {
  if (failure.includes(ON_STOP_WORDS)) return HINTS.stopCrash;
  if (/SIGPIPE/.test(failure)) return HINTS.sigpipe;
  if (/\b(?:start|starting|ready|readiness)\b.*SIGSEGV|SIGSEGV.*\bbefore (?:it was ready|accepting)/.test(failure)) return HINTS.emptyConnection;
  if (/SIGSEGV|code 139\b/.test(failure)) return HINTS.segfault;
  if (/PUT \/\S+.*no answer within/.test(failure)) return HINTS.putUnanswered;
  if (/(?:PUT|GET|HEAD) \/\S+ answered 400/.test(failure)) return HINTS.names;
  return undefined;
}
