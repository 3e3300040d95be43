// The types of what the sweep writes and the report reads (DESIGN §7), derived from the schemas
// in schema.ts, which say what each field means. Every field is plain JSON.
import type { z } from 'zod';
import type {
  calibrationSchema, codeVersionSchema, ENGINES, expectationResultSchema, latencySchema, LOCK_MODES, LOG_MODES, LOG_WRITES,
  loadgenCeilingSchema, MIXES, pointParamsSchema, pointRecordSchema, runInfoSchema, SYNC_MODES,
} from './schema.js';

export type LogMode = (typeof LOG_MODES)[number];
export type LockMode = (typeof LOCK_MODES)[number];
export type LogWrite = (typeof LOG_WRITES)[number];
export type SyncMode = (typeof SYNC_MODES)[number];
export type Mix = (typeof MIXES)[number];
export type Engine = (typeof ENGINES)[number];

export type PointParams = z.output<typeof pointParamsSchema>;
export type LatencyMicros = z.output<typeof latencySchema>;
export type PointRecord = z.output<typeof pointRecordSchema>;
export type Calibration = z.output<typeof calibrationSchema>;
export type RunInfo = z.output<typeof runInfoSchema>;
export type CodeVersion = z.output<typeof codeVersionSchema>;
export type LoadgenCeiling = z.output<typeof loadgenCeilingSchema>;
export type ExpectationResult = z.output<typeof expectationResultSchema>;
