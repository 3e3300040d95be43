// Ctrl-C and SIGTERM belong to the command line: the API (api/) and the runtimes take an
// AbortSignal and install no process handlers, so a script that uses the lab keeps its own.

/** the shell's code for a process ended by the signal (128 + its number) */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

type Signal = keyof typeof SIGNAL_EXIT_CODES;
const SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as Signal[];

/** until the returned function is called, SIGINT and SIGTERM call `handle` instead of ending the process */
export function onSignals(handle: (signal: Signal) => void): () => void {
  const listeners = SIGNALS.map((signal) => [signal, () => handle(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/**
 * SIGINT or SIGTERM: `cleanup` (what this process started: containers, disks), then exit as the
 * signal would have ended it (130, 143). The returned function removes the handlers.
 */
export function cleanUpThenExitOnSignals(cleanup: () => Promise<void>): () => void {
  let exiting = false;
  return onSignals((signal) => {
    if (exiting) return;
    exiting = true;
    void cleanup().catch(() => {}).finally(() => process.exit(SIGNAL_EXIT_CODES[signal]));
  });
}
