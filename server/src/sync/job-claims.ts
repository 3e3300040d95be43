// A job handed ahead of time to a busy worker has not started until that worker claims it. Until
// then the main thread may take it back and hand it to a worker that fell idle, so a job never
// waits behind a slow one while another worker has nothing to do. Claiming and taking back are
// one compare-and-swap on the same cell: exactly one of them wins. Each hand-out gets a fresh
// ticket, so the worker a job was taken from can never claim it once it is handed out again.

/** cells, indexed by ticket; a ticket is claimed or taken back long before it comes round again */
const CELLS = 1 << 16;
const SETTLED = 0;
const MAX_TICKET = 0x7fffffff;

export function createJobClaims(): SharedArrayBuffer {
  return new SharedArrayBuffer(CELLS * 4);
}

export class JobClaims {
  private readonly cells: Int32Array;
  private lastTicket = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /** Main thread, before handing a job to a worker: the ticket that worker must claim it with. */
  issue(): number {
    this.lastTicket = this.lastTicket === MAX_TICKET ? 1 : this.lastTicket + 1;
    Atomics.store(this.cells, this.lastTicket % CELLS, this.lastTicket);
    return this.lastTicket;
  }

  /** Worker, before starting a job: false when the main thread took it back. */
  claim(ticket: number): boolean {
    return Atomics.compareExchange(this.cells, ticket % CELLS, ticket, SETTLED) === ticket;
  }

  /** Main thread: true when the job had not started, and now never will on that worker. */
  takeBack(ticket: number): boolean {
    return Atomics.compareExchange(this.cells, ticket % CELLS, ticket, SETTLED) === ticket;
  }
}
