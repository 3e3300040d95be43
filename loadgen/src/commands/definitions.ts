// Every command of `speedlab`, defined once: cli.ts lists them and prints their help without
// loading their modules (dockerode, vega), and each module parses its argv with its own.
import { PRESET_NAMES } from '../disk/presets.js';
import { MAX_REPETITIONS, MAX_SCALE, MIN_SCALE } from '../experiment/scale.js';
import { defineCommand, type Command } from './define.js';

const RUNTIMES = ['auto', 'local', 'docker'] as const;

export const IMAGE = defineCommand({
  name: 'image',
  summary: 'build the speedlab Docker image (offline: from the host\'s Node)',
  usage: ['[--base auto|official|local|IMAGE] [--force] [--quiet]'],
  details: 'Builds the speedlab image from dist/ and the production node_modules (run npm run build first).\n' +
    'Base auto: node:20-bookworm-slim when the engine has it or can pull it, otherwise a local base\n' +
    'built from this host\'s Node.',
  flags: {
    base: { type: 'string', value: 'auto|official|local|IMAGE', defaultText: 'SPEEDLAB_BASE_IMAGE, else auto', description: 'the base image: official (node:20-bookworm-slim), local (this host\'s Node) or an image name' },
    force: { type: 'boolean', description: 'rebuild even when nothing changed' },
    quiet: { type: 'boolean', description: 'print only the result line' },
  },
  examples: ['speedlab image', 'speedlab image --base local --quiet'],
});

export const CALIBRATE = defineCommand({
  name: 'calibrate',
  summary: 'measure what a disk profile really delivers',
  usage: ['[--disk NAME]... [--mib N] [--json]'],
  details: 'Measures direct, buffered and buffered+fsync writes and a read after dropping the cache on\n' +
    'each disk profile, and prints them beside its limits. Needs a Docker engine and the speedlab image.',
  flags: {
    disk: { type: 'string', value: 'NAME', multiple: true, defaultText: 'hdd, sata-ssd, sd-card', description: `a disk profile to measure, once per profile: ${PRESET_NAMES.join(', ')}` },
    mib: { type: 'string', value: 'N', defaultText: 'from the profile: about 3 s of its write limit, 8 to 64', description: 'MiB each measurement writes, a whole number above 0' },
    json: { type: 'boolean', description: 'print the results as one JSON array instead of a table' },
  },
  examples: ['speedlab calibrate', 'speedlab calibrate --disk hdd --disk sd-card --mib 16'],
});

export const PLAN = defineCommand({
  name: 'plan',
  summary: 'show an experiment\'s grid, point count, estimated time and bytes',
  usage: ['FILE'],
  operands: [{ name: 'FILE', description: 'the experiment file (YAML, e.g. experiments/quick.yaml)' }],
  flags: {},
  examples: ['speedlab plan experiments/quick.yaml'],
});

export const CHECK = defineCommand({
  name: 'check',
  summary: 'start your server as a run would and probe it: a checklist, a verdict and the client settings that suit it',
  usage: ['FILE [--threads LIST] [--runtime auto|local|docker]', '[--threads LIST] [--image IMAGE] [--runtime auto|local|docker] -- CMD ARGS…'],
  details: 'exit 0: the lab can measure it (with the client settings printed); 1: it cannot; 2: usage',
  operands: [{ name: 'FILE', optional: true, description: 'an experiment whose server: is a command: or an image: (or the reference server)' }],
  rest: { name: 'CMD ARGS…', description: 'your server\'s command line, with {port}, {threads} and {log} placeholders' },
  flags: {
    threads: { type: 'string', value: 'LIST', defaultText: '1,8; with FILE, the sweep\'s lowest and highest', description: 'the -N values to start it with, lowest first' },
    image: { type: 'string', value: 'IMAGE', description: 'run CMD in this Docker image (the docker runtime)' },
    runtime: { type: 'string', value: 'auto|local|docker', choices: RUNTIMES, default: 'auto', description: 'where the server runs; auto: docker for an image when an engine answers, else local' },
  },
  examples: [
    'speedlab check -- ./httpserver {port} -N {threads} -l {log}',
    'speedlab check --image my/httpserver -- httpserver {port} -N {threads} -l {log}',
    'speedlab check experiments/quick.yaml',
  ],
});

export const RUN = defineCommand({
  name: 'run',
  summary: 'run an experiment\'s sweep and write its results',
  usage: ['FILE [flags]'],
  operands: [{ name: 'FILE', description: 'the experiment file (YAML, e.g. experiments/quick.yaml)' }],
  flags: {
    runtime: { type: 'string', value: 'auto|local|docker', choices: RUNTIMES, default: 'auto', description: 'where the points run; auto: docker when an engine answers, local for a command: server' },
    out: { type: 'string', value: 'DIR', defaultText: 'results/<name>-<UTC timestamp>; with --resume, the newest', description: 'the results directory' },
    resume: { type: 'boolean', description: 'finish an interrupted run: the points missing from --out DIR' },
    scale: { type: 'string', value: 'F', default: '1', description: `the same grid with windows and total: bounds × F (${MIN_SCALE} to ${MAX_SCALE}; e.g. 0.2 for CI)` },
    repetitions: { type: 'string', value: 'N', description: `repetitions of each cell (1 to ${MAX_REPETITIONS}), instead of workload.repetitions` },
    'allow-host-disk': { type: 'boolean', description: 'permit a host disk profile (a directory on the real disk: it wears an SSD)' },
    'allow-unthrottled': { type: 'boolean', description: 'run a throttled profile the engine did not throttle, its points marked' },
    engine: { type: 'string', value: 'CONTEXT|URL', defaultText: 'the docker CLI\'s', description: 'the Docker engine: a docker context, or unix://, tcp://, ssh:// (README "Which engine")' },
    'server-engine': { type: 'string', value: 'CONTEXT|URL', description: 'two engines: the one that runs the servers (README "Two machines")' },
    'loadgen-engine': { type: 'string', value: 'CONTEXT|URL', description: 'two engines: the one that runs the load generator' },
    'server-address': { type: 'string', value: 'ADDR', defaultText: 'the server engine\'s host', description: 'two engines: where the load generator reaches the server' },
  },
  examples: [
    'speedlab run experiments/quick.yaml',
    'speedlab run experiments/quick.yaml --runtime local --scale 0.2',
    'speedlab run experiments/quick.yaml --out results/quick-1 --resume',
    'speedlab run experiments/quick.yaml --server-engine server-box --loadgen-engine default --server-address 192.0.2.10',
  ],
});

export const LOADGEN = defineCommand({
  name: 'loadgen',
  summary: 'run one load-generator job (used by run; JSON result on stdout)',
  usage: ['--target http://127.0.0.1:PORT --job \'<json>\'', '--job \'<json>\'   (a capacity job needs no --target)'],
  flags: {
    target: { type: 'string', value: 'URL', description: 'the server under test, http://HOST:PORT' },
    job: { type: 'string', value: 'JSON', description: 'the job (loadgen/src/workload/job.ts): its phase, workload and window' },
  },
  examples: ['speedlab loadgen --job \'{"phase":"capacity","engine":"autocannon","connections":8,"durationS":1}\''],
});

export const REPORT = defineCommand({
  name: 'report',
  summary: 'write a run\'s report.html and summary.csv (--index DIR: one page linking every run in DIR)',
  usage: ['DIR', '--index DIR'],
  details: 'Writes DIR/report.html (self-contained, works offline) and DIR/summary.csv from DIR/run.json\n' +
    'and DIR/points.jsonl.\n' +
    '--index DIR: writes DIR/index.html, one offline page linking every run directory directly under DIR\n' +
    '  (each one with a run.json) to its report.html, with its date, runtime, engines, expectations passed,\n' +
    '  headline finding and code version: its commit, and whether server/ or the load path\n' +
    '  (loadgen/src/workload) changed since, against this checkout\'s HEAD.',
  operands: [{ name: 'DIR', optional: true, description: 'a run\'s results directory (run.json, points.jsonl)' }],
  flags: {
    index: { type: 'string', value: 'DIR', description: 'write DIR/index.html, linking every run directory directly under DIR' },
  },
  examples: ['speedlab report results/examples/lock-strategies', 'speedlab report --index results/examples'],
});

export const NET = defineCommand({
  name: 'net',
  summary: 'the network path between two engines: peer, rtt, link (used by run with two engines)',
  usage: ['peer --host ADDR --port N', 'rtt --target HOST:PORT [--count N]', 'link --target HOST:PORT [--direction down|up] [--seconds S] [--streams N]'],
  operands: [{ name: 'peer|rtt|link', description: 'peer listens, on the server\'s machine; rtt and link measure the path to it from the load generator\'s and print one JSON line' }],
  flags: {
    host: { type: 'string', value: 'ADDR', description: 'peer: the address to listen on' },
    port: { type: 'string', value: 'N', description: 'peer: the port to listen on (1 to 65535)' },
    target: { type: 'string', value: 'HOST:PORT', description: 'rtt, link: where the peer listens' },
    count: { type: 'string', value: 'N', default: '50', description: 'rtt: round trips to time (1 to 100000)' },
    direction: { type: 'string', value: 'down|up', default: 'down', description: 'link: down, the peer sends; up, it receives' },
    seconds: { type: 'string', value: 'S', default: '2', description: 'link: seconds of transfer (0.1 to 600)' },
    streams: { type: 'string', value: 'N', default: '4', description: 'link: parallel TCP connections (1 to 64)' },
  },
  examples: ['speedlab net peer --host 0.0.0.0 --port 18081', 'speedlab net rtt --target 192.0.2.10:18081 --count 20', 'speedlab net link --target 192.0.2.10:18081 --direction up'],
});

export const COMPARE = defineCommand({
  name: 'compare',
  summary: 'one report comparing two runs side by side',
  usage: ['DIR_A DIR_B [-o FILE]'],
  details: 'Writes one self-contained HTML page with both runs side by side and the ratio B / A per point.',
  operands: [{ name: 'DIR_A', description: 'a run\'s results directory' }, { name: 'DIR_B', description: 'the run compared with DIR_A' }],
  flags: {
    out: { type: 'string', short: 'o', value: 'FILE', defaultText: 'compare-<A>-vs-<B>.html next to DIR_B', description: 'the page to write' },
  },
  examples: ['speedlab compare results/examples/lock-strategies results/lock-strategies-20250101T120000Z -o /tmp/compare.html'],
});

/** in the order `speedlab --help` lists them */
export const COMMANDS = [IMAGE, CALIBRATE, PLAN, CHECK, RUN, LOADGEN, REPORT, NET, COMPARE] as const satisfies readonly Command[];
export type CommandName = (typeof COMMANDS)[number]['name'];
