// N worker threads; at most N requests in the storage stage at once, the rest wait in FIFO order.
// When every worker is busy, each may hold one more job in its own inbox, so that a worker that
// finishes finds its next job without being woken: a cross-thread wake-up costs more than a small
// request (measured). A job waiting in an inbox has not started: -N still bounds the stage.
import { Worker } from 'node:worker_threads';
import type { FromWorker, Job, ToWorker } from './messages.js';
import type { WorkerConfig } from './worker-config.js';

const MAX_RETURNED = 4;

export interface JobHandle {
  job: Job;
  /** `giveBack` returns a data buffer to the worker that sent it, once the socket is done with it */
  onMessage(msg: FromWorker, giveBack: (chunk: ArrayBuffer) => void): void;
}

interface Slot {
  worker: Worker;
  current: JobHandle | null;
  /** posted to the worker, to start when `current` ends */
  next: JobHandle | null;
  /** this worker's GET buffers, free again; they travel back with its next job */
  returned: ArrayBuffer[];
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: JobHandle[] = [];
  private readonly byId = new Map<number, Slot>();
  private closing = false;

  constructor(
    private readonly size: number,
    private readonly config: WorkerConfig,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: this.config });
    const slot: Slot = { worker, current: null, next: null, returned: [] };
    worker.on('message', (msg: FromWorker) => this.onWorkerMessage(slot, msg));
    worker.on('error', (err) => this.onWorkerDeath(slot, err));
    return slot;
  }

  /** A worker that dies answers its request with 500 and is replaced; the server keeps serving. */
  private onWorkerDeath(slot: Slot, err: Error): void {
    if (this.closing) return;
    process.stderr.write(`speedlab-server: worker died: ${err.message}\n`);
    const index = this.slots.indexOf(slot);
    this.slots[index] = this.spawn();
    for (const handle of [slot.current, slot.next]) {
      if (!handle) continue;
      this.byId.delete(handle.job.id);
      handle.onMessage({ t: 'res', id: handle.job.id, status: 500, final: true }, () => {});
    }
    this.dispatch();
  }

  private onWorkerMessage(slot: Slot, msg: FromWorker): void {
    const handle = slot.current;
    if (!handle || handle.job.id !== msg.id) return;
    const ended = msg.t === 'res' && msg.final;
    if (ended) {
      slot.current = slot.next;
      slot.next = null;
      this.byId.delete(msg.id);
    }
    handle.onMessage(msg, (chunk) => {
      if (slot.returned.length < MAX_RETURNED) slot.returned.push(chunk);
    });
    if (ended) this.dispatch();
  }

  submit(handle: JobHandle): void {
    this.queue.push(handle);
    this.dispatch();
  }

  /** Sends a follow-up message to the worker running this job; false when it is not running. */
  send(id: number, msg: ToWorker, transfer?: ArrayBuffer[]): boolean {
    const slot = this.byId.get(id);
    if (!slot) return false;
    slot.worker.postMessage(msg, transfer ?? []);
    return true;
  }

  /** Removes a job still waiting for a worker; false when it is already running. */
  cancelQueued(id: number): boolean {
    const i = this.queue.findIndex((h) => h.job.id === id);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.current) this.post(slot, 'current');
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.next) this.post(slot, 'next');
    }
  }

  private post(slot: Slot, position: 'current' | 'next'): void {
    const handle = this.queue.shift()!;
    slot[position] = handle;
    this.byId.set(handle.job.id, slot);
    const spare = slot.returned;
    slot.returned = [];
    slot.worker.postMessage({ ...handle.job, spare }, spare);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  get threads(): number {
    return this.size;
  }
}
