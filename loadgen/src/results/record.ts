// The types of what the sweep writes and the report reads (DESIGN §7), derived from the schemas
// in schema.ts, which say what each field means. Every field is plain JSON.
import type { z } from 'zod';
import type {
  calibrationSchema, codeVersionSchema, expectationResultSchema,
  loadgenCeilingSchema, pointParamsSchema, pointRecordSchema, runInfoSchema,
} from './schema.js';

export type { Engine, LockMode, LogMode, LogWrite, SyncMode } from './params.js';

export type PointParams = z.output<typeof pointParamsSchema>;
export type PointRecord = z.output<typeof pointRecordSchema>;
export type Calibration = z.output<typeof calibrationSchema>;
export type RunInfo = z.output<typeof runInfoSchema>;
export type CodeVersion = z.output<typeof codeVersionSchema>;
export type LoadgenCeiling = z.output<typeof loadgenCeilingSchema>;
export type ExpectationResult = z.output<typeof expectationResultSchema>;
export type RunEngines = NonNullable<RunInfo['engines']>;
export type RunEngine = NonNullable<RunInfo['engine']>;
export type PointNetwork = NonNullable<PointRecord['network']>;
export type ThreadStates = NonNullable<PointRecord['threadStates']>;
export type ThreadSummary = NonNullable<ThreadStates['threads']>[number];
export type ServerCpusBusy = NonNullable<PointRecord['serverCpusBusy']>;
