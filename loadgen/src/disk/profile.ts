// A disk profile: what a server's data and log directories sit on, whichever runtime gives it.
export interface DiskProfile {
  name: string;
  kind: 'ram' | 'throttled' | 'host';
  /** bytes; the capacity of the data volume */
  sizeBytes: number;
  writeBps?: number;
  readBps?: number;
  writeIops?: number;
  readIops?: number;
  /** kind 'host' only: where on the host */
  path?: string;
}
