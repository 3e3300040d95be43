// Messages between the main thread (sockets, HTTP parsing) and the workers (file I/O, hex
// encoding, log writes). One worker handles one job at a time; every message but a batch of new
// jobs names its job.
// Streaming buffers travel by transfer: GET buffers are handed back for reuse, PUT body buffers
// are handed back to be freed by the main thread, so memory stays bounded whatever the pace of
// the workers' garbage collectors.

/** 'health': GET /healthcheck with a log */
export type JobKind = 'get' | 'head' | 'put' | 'fail' | 'health';

/** GET data of a large file travels in buffers of this size (a small file's whole response goes in one of its own, not handed back) */
export const GET_CHUNK = 1024 * 1024;
/** GET buffers the main thread keeps per worker to hand back, and a worker keeps for reuse */
export const MAX_RETURNED_CHUNKS = 6;

/** PUT body bytes handed to the worker but not yet on disk, before the socket is paused. */
export const BODY_WINDOW = 2 * 1024 * 1024;
/**
 * A worker reports body bytes on disk once this many are unreported, and never for the last of
 * a body (its answer follows): a body that fits the window costs no reports at all.
 */
export const BODY_REPORT_BYTES = BODY_WINDOW / 2;

export interface Job {
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
  /** the response closes the connection (`Connection: close`); the main thread may set it later, when a PUT is answered before its whole body arrived */
  close: boolean;
}

/**
 * Jobs travel as one flat array of their fields: as objects, every job's keys would be
 * serialized, and interned again on arrival (measured: a tenth of a worker's time on small GETs).
 */
type PackedJobs = (string | number | boolean)[];

export function packJobs(jobs: Job[]): PackedJobs {
  const packed: PackedJobs = [];
  for (const j of jobs) packed.push(j.id, j.kind, j.name, j.method, j.target, j.line, j.contentLength, j.status, j.ticket, j.close);
  return packed;
}

export function unpackJobs(packed: PackedJobs): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; i < packed.length; i += 10) {
    jobs.push({
      id: packed[i] as number,
      kind: packed[i + 1] as JobKind,
      name: packed[i + 2] as string,
      method: packed[i + 3] as string,
      target: packed[i + 4] as string,
      line: packed[i + 5] as string,
      contentLength: packed[i + 6] as number,
      status: packed[i + 7] as number,
      ticket: packed[i + 8] as number,
      close: packed[i + 9] as boolean,
    });
  }
  return jobs;
}

export type ToWorker =
  /** jobs to run in order; GET buffers this worker sent earlier ride back for reuse */
  | { t: 'jobs'; jobs: PackedJobs; spare: ArrayBuffer[] }
  /** the next pieces of a PUT body, in order, each buffer wholly body bytes (transferred, not copied) */
  | { t: 'body'; id: number; chunks: ArrayBuffer[] }
  /** a GET chunk has left through the socket: the worker may send that many more bytes; its buffer comes back for reuse */
  | { t: 'credit'; id: number; bytes: number; chunk: ArrayBuffer }
  /** the client went away or timed out */
  | { t: 'abort'; id: number };

export type FromWorker =
  /** PUT: the worker holds its locks and a temporary file: send the body */
  | { t: 'ready'; id: number }
  /** PUT: this many body bytes are on disk: send more; `spent` are their buffers (see `res`) */
  | { t: 'consumed'; id: number; bytes: number; spent: ArrayBuffer[] }
  /**
   * A response or a piece of one. The first message of a job carries `status`; `length` is the
   * Content-Length of a data response (GET/HEAD 200); without `length` the response is an answer
   * without content (http/status.ts). `final` ends the job: the worker is free. `spent`: PUT
   * body buffers written since the last report, handed back so that their memory is freed by
   * the main thread's garbage collector, which already paces itself by socket reads; left in a
   * worker, each worker would hold up to V8's external-memory slack (~64 MiB) of them (measured).
   */
  | { t: 'res'; id: number; status?: number; length?: number; chunk?: ArrayBuffer; chunkLength?: number; spent?: ArrayBuffer[]; final: boolean }
  /** A small GET's whole response, head and body, in one buffer of its own; ends the job. Few keys: cheap to serialize. */
  | { t: 'whole'; id: number; response: ArrayBuffer };
