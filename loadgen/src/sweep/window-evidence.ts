// What the measured window shows besides the load generator's numbers (issue 21): where the
// server's threads were (the thread-state sampler) and how busy the CPUs the server could use
// were, every process counted. Started just before the measure job, stopped just after. With a CPU
// split it first keeps the lab's own process to the load generator's CPUs.
import type { Experiment } from '../experiment/experiment.js';
import type { PointRecord, ServerCpusBusy, ThreadStates } from '../results/record.js';
import type { RunningServer } from '../runtime/types.js';
import { busyCores, parseCpuList, readCpuTimes, type CpuTimes } from '../threads/cpu-busy.js';
import { keepThisProcessTo } from '../threads/pin.js';
import { DEFAULT_SAMPLER_HZ, ThreadSampler } from '../threads/sampler.js';

/** /proc/stat is read this often, so that the busy cores cover the measured window, not the load generator's start */
const CPU_READ_MS = 100;

interface WindowEvidence {
  /** ends the window; the sampler's view and the CPUs' busy cores over its last `windowS` seconds, for the point record */
  stop(windowS?: number): Pick<PointRecord, 'threadStates' | 'serverCpusBusy'>;
}

type Pin = ReturnType<typeof keepThisProcessTo>;

function sampler(exp: Experiment, server: RunningServer, pin: Pin | undefined): { stop(windowS?: number): ThreadStates } | undefined {
  if (exp.sampler === 'off') return undefined;
  const hz = exp.sampler?.hz ?? DEFAULT_SAMPLER_HZ;
  const why = server.remote
    ? "the server runs on another machine than the lab, whose /proc is not this one's"
    : !server.processes ? 'this runtime cannot list the server\'s processes' : undefined;
  if (why) return { stop: () => ({ hz, ticks: 0, windowS: 0, unavailable: why }) };
  const s = new ThreadSampler({ hz, processes: () => server.processes!() });
  s.start();
  return {
    stop: (windowS) => ({
      ...s.stop(windowS),
      ...(pin && ('cpuList' in pin ? { samplerCpus: pin.cpuList } : { samplerPinProblem: pin.problem })),
    }),
  };
}

export function startWindowEvidence(exp: Experiment, server: RunningServer): WindowEvidence {
  // sampling or not, so that `sampler: off` measures the same arrangement of CPUs
  const pin = server.labCpuList === undefined ? undefined : keepThisProcessTo(server.labCpuList);
  const threads = sampler(exp, server, pin);
  const readings: { at: number; times: CpuTimes }[] = [];
  const read = () => {
    const times = readCpuTimes();
    if (times) readings.push({ at: performance.now(), times });
  };
  let timer: NodeJS.Timeout | undefined;
  if (!server.remote) {
    read();
    timer = setInterval(read, CPU_READ_MS);
  }
  return {
    stop: (windowS) => {
      const threadStates = threads?.stop(windowS);
      clearInterval(timer);
      let serverCpusBusy: ServerCpusBusy | undefined;
      if (timer) {
        read();
        const last = readings[readings.length - 1]!;
        // the reading just before the window began
        const first = windowS === undefined ? readings[0]! : readings.filter((r) => r.at <= last.at - windowS * 1000).pop() ?? readings[0]!;
        const list = server.cpuList ? parseCpuList(server.cpuList) : undefined;
        serverCpusBusy = {
          scope: list ? 'cpuset' : 'machine',
          cpuList: server.cpuList ?? 'all',
          cpus: list?.length ?? last.times.size,
          busyCores: Number(busyCores(first.times, last.times, list).toFixed(3)),
          ...(pin && ('cpuList' in pin ? { labCpus: pin.cpuList } : { labPinProblem: pin.problem })),
        };
      }
      return { ...(threadStates && { threadStates }), ...(serverCpusBusy && { serverCpusBusy }) };
    },
  };
}
