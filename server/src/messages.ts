// Messages between the main thread (sockets, HTTP parsing) and the workers (file I/O, hex
// encoding, log writes). One worker handles one job at a time; every message but a batch of new
// jobs names its job.
// Streaming buffers travel by transfer and are handed back for reuse, so memory stays bounded
// whatever the garbage collector's pace.

export type JobKind = 'get' | 'head' | 'put' | 'fail';

/** GET data travels in buffers of this size (a small file's in one of its own size) */
export const GET_CHUNK = 1024 * 1024;
/** GET buffers the main thread keeps per worker to hand back, and a worker keeps for reuse */
export const MAX_RETURNED_CHUNKS = 6;

export interface Job {
  t: 'job';
  id: number;
  kind: JobKind;
  /** bare file name (empty for 'fail' jobs whose target was unusable) */
  name: string;
  method: string;
  target: string;
  /** the request line as received, for FAIL entries */
  line: string;
  /** PUT: body bytes that will follow */
  contentLength: number;
  /** 'fail' jobs: the status to log and send */
  status: number;
  /** the worker must claim the job with this before it starts it (sync/job-claims.ts); set by the pool */
  ticket: number;
}

export type ToWorker =
  /** jobs to run in order; GET buffers this worker sent earlier ride back for reuse */
  | { t: 'jobs'; jobs: Job[]; spare: ArrayBuffer[] }
  /** a piece of a PUT body: the first `length` bytes of `chunk` (transferred, not copied) */
  | { t: 'body'; id: number; chunk: ArrayBuffer; length: number }
  /** a GET chunk has left through the socket: the worker may send that many more bytes; its buffer comes back for reuse */
  | { t: 'credit'; id: number; bytes: number; chunk: ArrayBuffer }
  /** the client went away or timed out */
  | { t: 'abort'; id: number };

export type FromWorker =
  /** PUT: the worker holds its locks and a temporary file: send the body */
  | { t: 'ready'; id: number }
  /** PUT: this many body bytes are on disk: send more; the buffer comes back for reuse */
  | { t: 'consumed'; id: number; bytes: number; chunk: ArrayBuffer }
  /**
   * A response or a piece of one. The first message of a job carries `status`; `length` is the
   * Content-Length of a data response (GET/HEAD 200); without `length` the response is the
   * status's reason phrase. `final` ends the job: the worker is free.
   */
  | { t: 'res'; id: number; status?: number; length?: number; chunk?: ArrayBuffer; chunkLength?: number; final: boolean };
