// One run's points analysed: cells grouped into named series, with USL fits.
import type { PointRecord } from '../results/record.js';
import { buildCells, type Cell } from './cells.js';
import { groupBy, okPoints, seriesKey, type SeriesParams } from './group.js';
import { compareSeries, seriesName, seriesParams, varyingDims, type DesignDim } from './series.js';
import { fitUsl, type UslObservation, type UslResult } from './usl.js';

export interface Series {
  key: string;
  name: string;
  params: SeriesParams;
  /** sorted by threads */
  cells: Cell[];
  /** mean requests/s of the 1-thread cell, the speedup baseline */
  baselineRps: number | null;
  usl: UslResult;
}

export interface Analysis {
  points: PointRecord[];
  cells: Cell[];
  series: Series[];
}

/**
 * @param nameWith params of every run shown together, so series are named alike in a comparison
 */
/** @param absent the design options the server does not have (series.ts absentDesigns): left out of series names */
export function analyze(points: readonly PointRecord[], nameWith: readonly SeriesParams[] = [], absent: ReadonlySet<DesignDim> = new Set()): Analysis {
  const cells = buildCells(points);
  const varying = varyingDims([...points.map((p) => seriesParams(p.params)), ...nameWith]);
  const bySeries = groupBy(cells, (c) => c.seriesKey);
  const okBySeries = groupBy(okPoints(points), (p) => seriesKey(p.params));
  const series: Series[] = [...bySeries.entries()].map(([key, list]) => {
    list.sort((a, b) => a.threads - b.threads);
    const params = seriesParams(list[0]!.params);
    const baseline = list.find((c) => c.threads === 1)?.requestsPerS?.mean ?? null;
    const observations: UslObservation[] = (okBySeries.get(key) ?? []).map((p) => ({ n: p.params.threads, x: p.requestsPerS }));
    return { key, name: seriesName(params, varying, absent), params, cells: list, baselineRps: baseline, usl: fitUsl(observations) };
  });
  series.sort((a, b) => compareSeries(a.params, b.params));
  return { points: [...points], cells, series };
}
