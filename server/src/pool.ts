// N worker threads; at most N requests in the storage stage at once, the rest wait in FIFO order.
// Waking a sleeping thread costs more than a small request (measured: ~13 µs of the waker's CPU in
// a VM), so the pool avoids wake-ups: jobs that arrive in one event-loop turn go out in one message
// per worker, and a busy worker is handed a few jobs ahead, which it finds without being woken. A
// job handed ahead has not started (-N still bounds the stage): a worker that falls idle takes it
// back from a busy one (sync/job-claims.ts), so no job waits behind a slow one.
import { Worker } from 'node:worker_threads';
import { MAX_RETURNED_CHUNKS, packJobs, type FromWorker, type Job, type ToWorker } from './messages.js';
import { createJobClaims, JobClaims } from './sync/job-claims.js';
import type { WorkerConfig, WorkerData } from './worker-config.js';

/** jobs handed ahead to a busy worker, beyond the one it runs */
const MAX_AHEAD = 3;
/**
 * An idle worker takes back jobs handed ahead to a worker whose current job has run this long:
 * sooner, it would pay a wake-up to save less than the wake-up costs.
 */
const TAKE_BACK_AFTER_MS = 1;

interface JobHandle {
  job: Job;
  /** `giveBack` returns a data buffer to the worker that sent it, once the socket is done with it */
  onMessage(msg: FromWorker, giveBack: (chunk: ArrayBuffer) => void): void;
}

interface Slot {
  worker: Worker;
  /** the job the worker runs (or is about to) */
  current: JobHandle | null;
  /** when `current` became current */
  since: number;
  /** handed ahead, to start in order when `current` ends, unless taken back */
  ahead: JobHandle[];
  /** this worker's GET buffers, free again; they travel back with its next jobs */
  returned: ArrayBuffer[];
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: JobHandle[] = [];
  private readonly byId = new Map<number, Slot>();
  private readonly claims: JobClaims;
  private readonly workerData: WorkerData;
  private dispatchScheduled = false;
  private takeBackTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly size: number,
    config: WorkerConfig,
  ) {
    const claims = createJobClaims();
    this.claims = new JobClaims(claims);
    this.workerData = { ...config, claims };
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: this.workerData });
    const slot: Slot = { worker, current: null, since: 0, ahead: [], returned: [] };
    worker.on('message', (msg: FromWorker) => this.onWorkerMessage(slot, msg));
    worker.on('error', (err) => this.onWorkerDeath(slot, err));
    return slot;
  }

  /** A worker that dies answers its requests with 500 and is replaced; the server keeps serving. */
  private onWorkerDeath(slot: Slot, err: Error): void {
    if (this.closing) return;
    process.stderr.write(`speedlab-server: worker died: ${err.message}\n`);
    const index = this.slots.indexOf(slot);
    this.slots[index] = this.spawn();
    for (const handle of [slot.current, ...slot.ahead]) {
      if (!handle) continue;
      this.byId.delete(handle.job.id);
      handle.onMessage({ t: 'res', id: handle.job.id, status: 500, final: true }, () => {});
    }
    this.dispatch();
  }

  private onWorkerMessage(slot: Slot, msg: FromWorker): void {
    const handle = slot.current;
    if (!handle || handle.job.id !== msg.id) return;
    const ended = (msg.t === 'res' && msg.final) || msg.t === 'whole';
    if (ended) {
      slot.current = slot.ahead.shift() ?? null;
      slot.since = performance.now();
      this.byId.delete(msg.id);
    }
    handle.onMessage(msg, (chunk) => {
      if (slot.returned.length < MAX_RETURNED_CHUNKS) slot.returned.push(chunk);
    });
    if (ended) this.scheduleDispatch();
  }

  submit(handle: JobHandle): void {
    this.queue.push(handle);
    this.scheduleDispatch();
  }

  /** Jobs that arrive in one event-loop turn go out together: one message (one wake-up) per worker. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  /** Sends a follow-up message to the worker holding this job; false when no worker holds it. */
  send(id: number, msg: ToWorker, transfer?: ArrayBuffer[]): boolean {
    const slot = this.byId.get(id);
    if (!slot) return false;
    slot.worker.postMessage(msg, transfer ?? []);
    return true;
  }

  /**
   * The client of job `id` is gone: a job not started yet is dropped; a running one is told to
   * stop (the worker still answers it, so its slot is freed in order). Returns true when a worker
   * has the job (it was told to stop), false when no worker will ever run it.
   */
  cancel(id: number): boolean {
    const i = this.queue.findIndex((h) => h.job.id === id);
    if (i >= 0) {
      this.queue.splice(i, 1);
      return false;
    }
    const slot = this.byId.get(id);
    if (!slot) return false;
    const ahead = slot.ahead.findIndex((h) => h.job.id === id);
    if (ahead >= 0 && this.claims.takeBack(slot.ahead[ahead]!.job.ticket)) {
      slot.ahead.splice(ahead, 1);
      this.byId.delete(id);
      return false;
    }
    slot.worker.postMessage({ t: 'abort', id } satisfies ToWorker);
    return true;
  }

  private dispatch(): void {
    if (this.closing) return;
    const batches = new Map<Slot, JobHandle[]>();
    const give = (slot: Slot, handle: JobHandle) => {
      if (slot.current) slot.ahead.push(handle);
      else {
        slot.current = handle;
        slot.since = performance.now();
      }
      this.byId.set(handle.job.id, slot);
      handle.job.ticket = this.claims.issue();
      const batch = batches.get(slot);
      if (batch) batch.push(handle);
      else batches.set(slot, [handle]);
    };
    for (const slot of this.slots) {
      if (slot.current) continue;
      const handle = this.queue.shift() ?? this.takeBackFromBusiest();
      if (!handle) break;
      give(slot, handle);
    }
    for (let depth = 0; depth < MAX_AHEAD && this.queue.length > 0; depth++) {
      for (const slot of this.slots) if (this.queue.length > 0 && slot.ahead.length === depth) give(slot, this.queue.shift()!);
    }
    for (const [slot, handles] of batches) {
      const spare = slot.returned;
      slot.returned = [];
      slot.worker.postMessage({ t: 'jobs', jobs: packJobs(handles.map((h) => h.job)), spare } satisfies ToWorker, spare);
    }
    const idle = this.slots.some((s) => !s.current);
    const waitingAhead = this.slots.some((s) => s.ahead.length > 0);
    if (idle && waitingAhead && !this.takeBackTimer) {
      this.takeBackTimer = setTimeout(() => {
        this.takeBackTimer = null;
        this.dispatch();
      }, TAKE_BACK_AFTER_MS);
      this.takeBackTimer.unref();
    }
  }

  /** The last job handed ahead to the worker with the most of them, if it has not started. */
  private takeBackFromBusiest(): JobHandle | undefined {
    const now = performance.now();
    const candidates = this.slots
      .filter((s) => s.ahead.length > 0 && now - s.since >= TAKE_BACK_AFTER_MS)
      .sort((a, b) => b.ahead.length - a.ahead.length);
    for (const slot of candidates) {
      const handle = slot.ahead[slot.ahead.length - 1]!;
      // lost the race: that worker has started it, and so every job before it
      if (!this.claims.takeBack(handle.job.ticket)) continue;
      slot.ahead.pop();
      this.byId.delete(handle.job.id);
      return handle;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.takeBackTimer) clearTimeout(this.takeBackTimer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  get threads(): number {
    return this.size;
  }
}
