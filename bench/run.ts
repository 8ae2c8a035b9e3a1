/**
 * `npm run bench`: bundle sizes, module load time against a dependency floor, hot-path throughput,
 * peak RSS and log bytes per alert; writes bench/results.json and checks bench/budgets.json.
 * See bench/README.md.
 *
 *   npm run bench -- [--check] [--deterministic-only] [--profile] [--runs 21] [--events 100000]
 *                    [--reps 3] [--log-alerts 1000] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { LogBytesResult } from './children/log-bytes';
import type { PassResult, ThroughputResult } from './children/throughput';
import { type BundleStats, buildBundle, resolveEntry } from './lib/build';
import { writeFloorEntry } from './lib/floor';
import { type CorpusSummary, writeCorpus } from './lib/corpus';
import { lambdaEnv, loadOnce } from './lib/load';
import { type MemoryBreakdown, memoryInTheWay, profileInTheWay } from './lib/in-the-way';
import { bundleModuleMap, summarizeProfile } from './lib/profile';
import { readServerlessConfig } from './lib/serverless';
import { sharesByPath } from './lib/state-meter';
import type { StateTableResult } from './state-table';
import { fixed, kb, median, percentile, table } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    'deterministic-only': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    runs: { type: 'string', default: '21' },
    events: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '3' },
    'log-alerts': { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
    storm: { type: 'string' },
    'state-table': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '150' },
    'storm-size': { type: 'string', default: '50' },
    'storm-store': { type: 'string', default: 'memory' },
    live: { type: 'boolean', default: false },
    'storm-seed': { type: 'string', default: '1' },
    'storm-window': { type: 'string', default: '30' },
  },
});
const RUNS = Math.max(15, Number(args.runs));
const EVENTS = Number(args.events);
const REPS = Math.max(1, Number(args.reps));
const LOG_ALERTS = Number(args['log-alerts']);
const deterministicOnly = args['deterministic-only'] === true;

interface Budgets {
  bundles: Record<string, { maxMinifiedBytes: number }>;
  /**
   * Regression ceilings CI enforces with `--deterministic-only --check`: today's sizes plus a
   * margin, so a change that bloats a bundle fails CI even while the targets above are missed.
   */
  ceilings?: { bundles: Record<string, { maxMinifiedBytes: number }> };
  maxLoadRatio: number;
  minEventsPerSecond: number;
  maxJsonFloorRatio: number;
  /** Minified bundle bytes over its dependency floor's (optional). */
  maxBundleFloorRatio?: number;
  maxReplayMs: number;
  maxPeakRssBytes: number;
  maxLogBytesPerAlert: number;
  /** State-table operations per alert (`--state-table`). */
  maxStateWritesPerAlert?: number;
  maxStateReadsPerAlert?: number;
  /** USD per million alerts at list prices (`--state-table`). */
  maxCostPerMillionAlerts?: number;
}

interface LoadFigures {
  runs: number;
  bundleMs: number;
  bundleP90Ms: number;
  floorMs: number;
  floorP90Ms: number;
  ratio: number;
  /** The same with NODE_OPTIONS=--enable-source-maps, as serverless.yml deploys it. */
  bundleSourceMapsMs: number;
  floorSourceMapsMs: number;
  /** deployedDeps() on first use (config parse/validate/compile, receivers, SSM client), when exported. */
  firstUseInitMs: number | null;
}

function measureLoads(functionName: string, bundle: string, floor: string): LoadFigures {
  const env = lambdaEnv(functionName);
  const mapsEnv = lambdaEnv(functionName, { NODE_OPTIONS: '--enable-source-maps' });
  const series = {
    bundle: [] as number[],
    floor: [] as number[],
    bundleMaps: [] as number[],
    floorMaps: [] as number[],
    init: [] as number[],
  };
  loadOnce(bundle, env); // warm the file cache
  loadOnce(floor, env);
  for (let i = 0; i < RUNS; i += 1) {
    const b = loadOnce(bundle, env);
    series.bundle.push(b.loadMs);
    if (b.initMs !== null) series.init.push(b.initMs);
    series.floor.push(loadOnce(floor, env).loadMs);
    series.bundleMaps.push(loadOnce(bundle, mapsEnv).loadMs);
    series.floorMaps.push(loadOnce(floor, mapsEnv).loadMs);
  }
  const bundleMs = median(series.bundle);
  const floorMs = median(series.floor);
  return {
    runs: RUNS,
    bundleMs,
    bundleP90Ms: percentile(series.bundle, 90),
    floorMs,
    floorP90Ms: percentile(series.floor, 90),
    ratio: bundleMs / floorMs,
    bundleSourceMapsMs: median(series.bundleMaps),
    floorSourceMapsMs: median(series.floorMaps),
    firstUseInitMs: series.init.length > 0 ? median(series.init) : null,
  };
}

/** Bundles a bench child (not minified, so CPU profiles keep names) for plain `node`. */
async function buildChild(name: string, outdir: string): Promise<string> {
  const outfile = join(outdir, `${name}.cjs`);
  await build({
    entryPoints: [join(ROOT, 'bench/children', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return outfile;
}

function runChild(
  script: string,
  childArgs: string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): void {
  const child = spawnSync(process.execPath, [...nodeArgs, script, ...childArgs], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0)
    throw new Error(`${script} failed (exit ${child.status}):\n${child.stderr}${child.stdout}`);
}

interface ThroughputFigures {
  events: number;
  alerts: number;
  reps: number;
  eventsPerSecond: number;
  usPerEvent: number;
  hotPathUsPerEvent: number;
  floorUsPerEvent: number;
  floorHotUsPerEvent: number;
  /** Pipeline work / JSON floor work, per event (streaming excluded from both). */
  floorRatio: number;
  /** The same with streaming included in both. */
  floorRatioWithStreaming: number;
  replayWallMs: number;
  peakRssBytes: number;
  peakRssAllPassesBytes: number;
  configLoadMs: number;
  memory: MemoryBreakdown;
  corpus: CorpusSummary;
}

function throughputFigures(result: ThroughputResult, corpus: CorpusSummary): ThroughputFigures {
  const of = (kind: PassResult['kind']) => result.passes.filter((p) => p.kind === kind);
  const pipeline = of('pipeline');
  const floor = of('floor');
  const first = pipeline[0] as PassResult;
  const events = first.events;
  const wall = median(pipeline.map((p) => p.wallMs));
  const work = median(pipeline.map((p) => p.workMs));
  const floorWall = median(floor.map((p) => p.wallMs));
  const floorWork = median(floor.map((p) => p.workMs));
  return {
    events,
    alerts: first.alerts,
    reps: pipeline.length,
    eventsPerSecond: events / (wall / 1000),
    usPerEvent: (wall * 1000) / events,
    hotPathUsPerEvent: (work * 1000) / events,
    floorUsPerEvent: (floorWall * 1000) / events,
    floorHotUsPerEvent: (floorWork * 1000) / events,
    floorRatio: work / floorWork,
    floorRatioWithStreaming: wall / floorWall,
    replayWallMs: first.wallMs,
    peakRssBytes: result.maxRssAfterFirstPipelineBytes,
    peakRssAllPassesBytes: result.maxRssBytes,
    configLoadMs: result.configLoadMs,
    memory: result.memoryAfterFirstPipeline,
    corpus,
  };
}

interface LogFigures extends LogBytesResult {
  bytesPerAlert: number;
  logBytesPerAlert: number;
  emfBytesPerAlert: number;
  avgDecisionLineBytes: number;
}

interface FunctionResult {
  name: string;
  handler: string;
  floorEntry: string;
  bundle: Omit<BundleStats, 'file'>;
  floor: Omit<BundleStats, 'file'>;
  load?: LoadFigures;
}

interface Check {
  target: string;
  budget: string;
  measured: string;
  met: boolean;
  deterministic: boolean;
  /** Shown, but a miss does not fail `--check`: the bundle/floor targets under `--deterministic-only`. */
  informational?: boolean;
  /** For a miss: what stands in the way, printed under the table. */
  detail?: string;
}

/**
 * What stands in the way of a bundle/floor target: how many KB over it the bundle is, and the
 * packages it carries beyond its floor, largest first.
 */
function overBy(fn: FunctionResult, maxRatio: number): string {
  const over = fn.bundle.bytes - maxRatio * fn.floor.bytes;
  return `${kb(over)} over; beyond the floor: ${beyondFloor(fn)}`;
}

/**
 * The three packages a function's bundle carries beyond its floor, largest first; our own code is
 * split into its three largest directories, since that is where a change would go.
 */
function beyondFloor(fn: FunctionResult): string {
  const floorBytes = new Map(fn.floor.packages.map((p) => [p.name, p.bytes]));
  return fn.bundle.packages
    .map((p) => ({ name: p.name, bytes: p.bytes - (floorBytes.get(p.name) ?? 0) }))
    .filter((p) => p.bytes > 1024)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((p) => {
      if (p.name !== '(own)') return `${p.name} +${kb(p.bytes)}`;
      const areas = fn.bundle.ownAreas.slice(0, 3).map((a) => `${a.name} ${kb(a.bytes)}`);
      return `(own) +${kb(p.bytes)} [${areas.join(', ')}]`;
    })
    .join(', ');
}

/** Whether the throughput child's figures miss a hot-path CPU target (what the profile explains). */
function hotPathMissed(budgets: Budgets, tp: ThroughputFigures): boolean {
  return (
    tp.eventsPerSecond < budgets.minEventsPerSecond ||
    tp.floorRatio > budgets.maxJsonFloorRatio ||
    tp.replayWallMs > budgets.maxReplayMs
  );
}

function checks(
  budgets: Budgets,
  functions: FunctionResult[],
  tp?: ThroughputFigures,
  logs?: LogFigures,
  profile?: Awaited<ReturnType<typeof summarizeProfile>>,
): Check[] {
  const list: Check[] = [];
  for (const fn of functions) {
    const table = deterministicOnly && budgets.ceilings ? budgets.ceilings.bundles : budgets.bundles;
    const budget = table[fn.name] ?? table.default;
    if (budget) {
      list.push({
        target: `${fn.name} bundle (minified)${deterministicOnly && budgets.ceilings ? ' [ceiling]' : ''}`,
        budget: `<= ${kb(budget.maxMinifiedBytes)}`,
        measured: kb(fn.bundle.bytes),
        met: fn.bundle.bytes <= budget.maxMinifiedBytes,
        deterministic: true,
      });
    }
    // zod classic is 444 KB of locales, JSON Schema and JIT code no function uses (shared/zod.ts).
    list.push({
      target: `${fn.name} bundles no zod classic`,
      budget: 'none',
      measured:
        fn.bundle.zodClassicInputs.length === 0
          ? 'none'
          : `${fn.bundle.zodClassicInputs.length} inputs, e.g. ${fn.bundle.zodClassicInputs[0]}`,
      met: fn.bundle.zodClassicInputs.length === 0,
      deterministic: true,
    });
    if (budgets.maxBundleFloorRatio) {
      const ratio = fn.bundle.bytes / fn.floor.bytes;
      const met = ratio <= budgets.maxBundleFloorRatio;
      list.push({
        target: `${fn.name} bundle / floor`,
        budget: `<= ${budgets.maxBundleFloorRatio}x`,
        measured: `${fixed(ratio, 2)}x`,
        detail: met ? undefined : overBy(fn, budgets.maxBundleFloorRatio),
        met,
        deterministic: true,
        // CI checks the ceilings; the full bench gates on the ratio itself.
        informational: deterministicOnly,
      });
    }
    if (fn.load) {
      const met = fn.load.ratio <= budgets.maxLoadRatio;
      list.push({
        target: `${fn.name} load / floor`,
        budget: `<= ${budgets.maxLoadRatio}x`,
        // What a miss loads beyond the floor: the same packages the bundle carries beyond it.
        measured: `${fixed(fn.load.ratio, 2)}x`,
        detail: met ? undefined : `loads beyond the floor: ${beyondFloor(fn)}`,
        met,
        deterministic: false,
      });
    }
  }
  if (tp) {
    // A missed CPU target names the functions in the way with their share of the profiled pass
    // (the first, cold pass, which is also the replay); the RSS target, where the memory is.
    const inTheWay = (met: boolean, workOnly = false) =>
      met || !profile
        ? ''
        : ` (in the way, share of the profiled pass: ${profileInTheWay(profile.functions, { workOnly })})`;
    const eventsMet = tp.eventsPerSecond >= budgets.minEventsPerSecond;
    const ratioMet = tp.floorRatio <= budgets.maxJsonFloorRatio;
    const replayMet = tp.replayWallMs <= budgets.maxReplayMs;
    const rssMet = tp.peakRssBytes <= budgets.maxPeakRssBytes;
    list.push(
      {
        target: 'hot path throughput',
        budget: `>= ${budgets.minEventsPerSecond.toLocaleString('en-US')} events/s`,
        measured: `${Math.round(tp.eventsPerSecond).toLocaleString('en-US')} events/s${inTheWay(eventsMet)}`,
        met: eventsMet,
        deterministic: false,
      },
      {
        target: 'hot path / JSON floor',
        budget: `<= ${budgets.maxJsonFloorRatio}x`,
        measured: `${fixed(tp.floorRatio, 2)}x${inTheWay(ratioMet, true)}`,
        met: ratioMet,
        deterministic: false,
      },
      {
        target: `${tp.events.toLocaleString('en-US')}-event replay`,
        budget: `<= ${budgets.maxReplayMs / 1000} s`,
        measured: `${fixed(tp.replayWallMs / 1000, 2)} s${inTheWay(replayMet)}`,
        met: replayMet,
        deterministic: false,
      },
      {
        target: 'peak RSS (replay)',
        budget: `<= ${Math.round(budgets.maxPeakRssBytes / 1048576)} MB`,
        measured: `${fixed(tp.peakRssBytes / 1048576)} MB${rssMet ? '' : ` (${memoryInTheWay(tp.memory)})`}`,
        met: rssMet,
        deterministic: false,
      },
    );
  }
  if (logs) {
    list.push({
      target: 'log bytes per alert',
      budget: `<= ${budgets.maxLogBytesPerAlert} B`,
      measured: `${Math.round(logs.bytesPerAlert)} B`,
      met: logs.bytesPerAlert <= budgets.maxLogBytesPerAlert,
      deterministic: false,
    });
  }
  return list;
}

/** The state-table scenario from the options: firing+resolve pairs, 10% redelivered, and a storm. */
function scenarioOptions() {
  return { pairs: Number(args.pairs), storm: Number(args['storm-size']), duplicateShare: 0.1 };
}

/** The state-table targets, each met or with the code paths in the way and their measured shares. */
function stateChecks(budgets: Budgets, st: StateTableResult): Check[] {
  const list: Check[] = [];
  const inTheWay = (kind: 'writes' | 'reads') =>
    sharesByPath(st.totals, kind)
      .slice(0, 4)
      .map((s) => `${s.path} ${fixed(s.share * 100, 0)}%`)
      .join(', ');
  if (budgets.maxStateWritesPerAlert !== undefined) {
    const met = st.writesPerAlert <= budgets.maxStateWritesPerAlert;
    list.push({
      target: 'state-table writes per alert',
      budget: `<= ${budgets.maxStateWritesPerAlert}`,
      measured: `${fixed(st.writesPerAlert, 2)}${met ? '' : ` (${inTheWay('writes')})`}`,
      met,
      deterministic: false,
    });
  }
  if (budgets.maxStateReadsPerAlert !== undefined) {
    const met = st.readsPerAlert <= budgets.maxStateReadsPerAlert;
    list.push({
      target: 'state-table reads per alert',
      budget: `<= ${budgets.maxStateReadsPerAlert}`,
      measured: `${fixed(st.readsPerAlert, 2)}${met ? '' : ` (${inTheWay('reads')})`}`,
      met,
      deterministic: false,
    });
  }
  if (budgets.maxCostPerMillionAlerts !== undefined) {
    const met = st.cost.totalUsd <= budgets.maxCostPerMillionAlerts;
    const lines = [...st.cost.lines]
      .sort((a, b) => b.usd - a.usd)
      .slice(0, 3)
      .map((l) => `${l.item} ${fixed((l.usd / st.cost.totalUsd) * 100, 0)}%`)
      .join(', ');
    list.push({
      target: 'cost per million alerts',
      budget: `<= $${budgets.maxCostPerMillionAlerts}`,
      measured: `$${fixed(st.cost.totalUsd, 2)}${met ? '' : ` (${lines})`}`,
      met,
      deterministic: false,
    });
  }
  return list;
}

/** Prints the state-table figures: per alert, capacity units, the breakdown, and the cost. */
function printStateTable(st: StateTableResult, out: (text?: string) => void): void {
  const k = st.scenario.byKind;
  out(
    `\nState table (deployed alarm notifier on moto; ${st.scenario.events} events: ${k.firing} firing, ${k.resolve} resolve, ${k.duplicate} redelivered, ${k.storm} storm → ${st.alerts} alerts; ${st.invocations} invocations, ${st.jobsRun} queued jobs run, ${st.jobsLeftQueued} left queued)`,
  );
  out(
    table(
      [
        ['figure', 'value'],
        ['writes per alert', fixed(st.writesPerAlert, 2)],
        ['reads per alert', fixed(st.readsPerAlert, 2)],
        ['WRU per alert (on demand)', fixed(st.writeUnitsPerAlert, 2)],
        ['RRU per alert (on demand)', fixed(st.readUnitsPerAlert, 2)],
        ['mean invocation (moto on loopback)', `${fixed(st.meanInvocationMs, 1)} ms`],
        ['log bytes per alert (logs + EMF)', `${Math.round(st.logBytesPerAlert)} B`],
      ],
      new Set([1]),
    ),
  );
  const t = st.totals;
  out('\nBy code path and operation (share of all writes / reads)');
  out(
    table(
      [
        [
          'path',
          'key family',
          'operation',
          'writes',
          'w share',
          'reads',
          'r share',
          'WRU',
          'RRU',
          'cond. failed',
        ],
        ...t.rows.map((r) => [
          r.path,
          r.family,
          r.operation,
          String(r.writes),
          r.writes ? `${fixed((r.writes / t.writes) * 100)}%` : '',
          String(r.reads),
          r.reads ? `${fixed((r.reads / t.reads) * 100)}%` : '',
          fixed(r.writeUnits, 1),
          fixed(r.readUnits, 1),
          String(r.conditionFailed),
        ]),
      ],
      new Set([3, 4, 5, 6, 7, 8, 9]),
    ),
  );
  out('\nCost per million alerts (us-east-1 list prices, bench/lib/cost.ts)');
  out(
    table(
      [
        ['item', 'quantity', 'USD'],
        ...st.cost.lines.map((l) => [l.item, `${fixed(l.quantity, 1)} ${l.unit}`, fixed(l.usd, 3)]),
        ['total', '', fixed(st.cost.totalUsd, 2)],
      ],
      new Set([1, 2]),
    ),
  );
}

/** `--state-table` alone: the run, its targets, and stateTable/costPerMillionAlerts merged into results.json. */
async function stateTableOnly(): Promise<number> {
  const budgets = JSON.parse(await readFile(join(ROOT, 'bench/budgets.json'), 'utf8')) as Budgets;
  const out = (text = '') => process.stdout.write(`${text}\n`);
  const { runStateTable } = await import('./state-table');
  const st = await runStateTable(ROOT, scenarioOptions());
  printStateTable(st, out);
  const checked = stateChecks(budgets, st);
  const missed = printTargets(checked, out);
  const resultsFile = join(ROOT, 'bench/results.json');
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(resultsFile, `${JSON.stringify({ ...previous, ...stateTableFields(st) }, null, 2)}\n`);
  out('Wrote stateTable and costPerMillionAlerts into bench/results.json.');
  return args.check && missed.length > 0 ? 1 : 0;
}

/** The fields results.json gains from a state-table run. */
function stateTableFields(st: StateTableResult) {
  return {
    stateTable: {
      writesPerAlert: st.writesPerAlert,
      readsPerAlert: st.readsPerAlert,
      writeUnitsPerAlert: st.writeUnitsPerAlert,
      readUnitsPerAlert: st.readUnitsPerAlert,
      measuredAt: new Date().toISOString(),
      detail: st,
    },
    costPerMillionAlerts: st.cost.totalUsd,
  };
}

/** Prints the target table, what stands in the way of each miss and the summary line; returns the checked misses. */
function printTargets(checked: Check[], out: (text?: string) => void): Check[] {
  out('\nTargets (bench/budgets.json)');
  out(
    table(
      [
        ['target', 'budget', 'measured', 'status'],
        ...checked.map((c) => [
          c.target,
          c.budget,
          c.measured,
          c.met ? 'met' : c.informational ? 'missed' : 'MISSED',
        ]),
      ],
      new Set([2]),
    ),
  );
  const details = checked.filter((c) => !c.met && c.detail);
  if (details.length > 0) {
    out('\nWhat stands in the way');
    for (const c of details) out(`- ${c.target}: ${c.detail}`);
  }
  // An informational miss is shown but does not fail --check (bundle/floor under --deterministic-only).
  const missed = checked.filter((c) => !c.met && !c.informational);
  const shown = checked.filter((c) => !c.met && c.informational).length;
  out(
    (missed.length === 0
      ? `\nAll ${checked.length - shown} checked targets met.`
      : `\n${missed.length} of ${checked.length - shown} checked targets MISSED: ${missed.map((c) => `${c.target}: ${c.measured}`).join('; ')}`) +
      (shown > 0
        ? ` ${shown} bundle/floor targets missed (shown, not checked with --deterministic-only).`
        : ''),
  );
  return missed;
}

async function main(): Promise<number> {
  if (args['state-table']) return stateTableOnly();
  if (args.storm !== undefined) {
    const count = Number(args.storm);
    if (args.live) {
      const { runLiveStorm } = await import('./storm-live');
      const report = await runLiveStorm({
        count,
        store: args['storm-store'] === 'moto' ? 'moto' : 'memory',
        seed: Number(args['storm-seed']),
        windowSeconds: Number(args['storm-window']),
      });
      process.stdout.write(`${report}\n`);
      return 0;
    }
    const { runStorm, runStormOnMoto } = await import('./storm');
    const report = args['storm-store'] === 'moto' ? await runStormOnMoto(count) : await runStorm(count);
    process.stdout.write(`${report}\n`);
    return 0;
  }
  const started = Date.now();
  const budgets = JSON.parse(await readFile(join(ROOT, 'bench/budgets.json'), 'utf8')) as Budgets;
  const { functions, esbuild } = await readServerlessConfig(ROOT);
  const tmp = await mkdtemp(join(tmpdir(), 'klaxon-bench-'));
  const out = (text = '') => process.stdout.write(`${text}\n`);
  try {
    // 1. Bundles, with the options serverless.yml gives serverless-esbuild.
    const results: FunctionResult[] = [];
    for (const fn of functions) {
      const dir = join(tmp, 'functions', fn.name);
      const bundle = await buildBundle(ROOT, resolveEntry(ROOT, fn.entry), esbuild, join(dir, 'bundle'));
      const floorFile = await writeFloorEntry(ROOT, fn.name, bundle.metafile);
      const floor = await buildBundle(ROOT, floorFile, esbuild, join(dir, 'floor'));
      process.stderr.write(`built ${fn.name}: ${kb(bundle.bytes)} (floor ${kb(floor.bytes)})\n`);
      const load = deterministicOnly ? undefined : measureLoads(fn.name, bundle.file, floor.file);
      const strip = ({ file: _file, metafile: _meta, ...rest }: BundleStats & { metafile?: unknown }) => rest;
      results.push({
        name: fn.name,
        handler: fn.handler,
        floorEntry: floorFile,
        bundle: strip(bundle),
        floor: strip(floor),
        load,
      });
    }

    // 2-3. Throughput, RSS and log bytes, each in a child process of its own.
    let tp: ThroughputFigures | undefined;
    let logs: LogFigures | undefined;
    let profile: Awaited<ReturnType<typeof summarizeProfile>> | undefined;
    if (!deterministicOnly) {
      const corpusFile = join(tmp, 'corpus.ndjson');
      const corpusStarted = Date.now();
      const corpus = await writeCorpus(ROOT, corpusFile, EVENTS);
      process.stderr.write(
        `corpus: ${corpus.events.toLocaleString('en-US')} events, ${kb(corpus.bytes)} in ${Date.now() - corpusStarted} ms\n`,
      );
      const childDir = join(tmp, 'children');
      await mkdir(childDir, { recursive: true });
      const throughputScript = await buildChild('throughput', childDir);
      const logScript = await buildChild('log-bytes', childDir);
      const config = join(ROOT, 'klaxon.yml');
      const env = lambdaEnv('throughput');

      const tpFile = join(tmp, 'throughput.json');
      runChild(throughputScript, [corpusFile, config, tpFile, String(REPS)], env);
      tp = throughputFigures(JSON.parse(await readFile(tpFile, 'utf8')) as ThroughputResult, corpus);

      const logFile = join(tmp, 'log-bytes.json');
      runChild(logScript, [corpusFile, config, logFile, String(LOG_ALERTS)], lambdaEnv('alarmNotifier'));
      const raw = JSON.parse(await readFile(logFile, 'utf8')) as LogBytesResult;
      const total = raw.stdoutBytes + raw.stderrBytes;
      logs = {
        ...raw,
        bytesPerAlert: total / raw.alerts,
        logBytesPerAlert: raw.logBytes / raw.alerts,
        emfBytesPerAlert: raw.emfBytes / raw.alerts,
        avgDecisionLineBytes: raw.decisionBytes / Math.max(1, raw.decisionLines),
      };

      // A missed hot-path target is explained from a profile, so one is taken then too.
      if (args.profile || hotPathMissed(budgets, tp)) {
        const profDir = join(tmp, 'profile');
        runChild(
          throughputScript,
          [corpusFile, config, join(tmp, 'profiled.json'), '1', 'pipeline-only'],
          env,
          ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
        );
        const [profFile] = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
        if (profFile) {
          const lookup = await bundleModuleMap(throughputScript);
          profile = await summarizeProfile(join(profDir, profFile), (url, line) =>
            url.endsWith('throughput.cjs') ? lookup(line) : undefined,
          );
        }
      }
    }

    // 3b. State-table calls per alert and the cost model, on moto (skipped without moto_server).
    let stateTable: StateTableResult | undefined;
    if (!deterministicOnly) {
      if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
        process.stderr.write('state table: moto_server is not on PATH; skipped\n');
      } else {
        const { runStateTable } = await import('./state-table');
        stateTable = await runStateTable(ROOT, scenarioOptions());
      }
    }

    // 4. Report.
    out('\nBundles (esbuild with serverless.yml custom.esbuild; KB = 1024 B)');
    out(
      table(
        [
          ['function', 'minified', 'gzip', 'floor min.', 'floor gzip', 'own code +'],
          ...results.map((r) => [
            r.name,
            kb(r.bundle.bytes),
            kb(r.bundle.gzipBytes),
            kb(r.floor.bytes),
            kb(r.floor.gzipBytes),
            kb(r.bundle.bytes - r.floor.bytes),
          ]),
        ],
        new Set([1, 2, 3, 4, 5]),
      ),
    );
    if (!deterministicOnly) {
      out(`\nModule load (require() in a fresh node ${process.version}, median of ${RUNS} runs, ms)`);
      out(
        table(
          [
            [
              'function',
              'bundle',
              'p90',
              'floor',
              'p90',
              'ratio',
              '+src maps',
              'floor+maps',
              'first-use init',
            ],
            ...results.map((r) => {
              const l = r.load as LoadFigures;
              return [
                r.name,
                fixed(l.bundleMs),
                fixed(l.bundleP90Ms),
                fixed(l.floorMs),
                fixed(l.floorP90Ms),
                `${fixed(l.ratio, 2)}x`,
                fixed(l.bundleSourceMapsMs),
                fixed(l.floorSourceMapsMs),
                l.firstUseInitMs === null ? '-' : fixed(l.firstUseInitMs),
              ];
            }),
          ],
          new Set([1, 2, 3, 4, 5, 6, 7, 8]),
        ),
      );
    }
    for (const r of results) {
      out(`\nTop 15 inputs of ${r.name} (bytes in the minified output)`);
      out(
        table(
          [['input', 'bytes'], ...r.bundle.topInputs.map((i) => [i.path, i.bytes.toLocaleString('en-US')])],
          new Set([1]),
        ),
      );
      out(
        `By package: ${r.bundle.packages
          .slice(0, 10)
          .map((p) => `${p.name} ${kb(p.bytes)}`)
          .join(', ')}`,
      );
    }
    if (tp) {
      out(
        `\nHot path (preview mode, no network; ${tp.events.toLocaleString('en-US')} events → ${tp.alerts.toLocaleString('en-US')} alerts, ${kb(tp.corpus.bytes)} NDJSON; median of ${tp.reps} passes)`,
      );
      out(
        table(
          [
            ['figure', 'value'],
            ['events/s (streamed, one core)', Math.round(tp.eventsPerSecond).toLocaleString('en-US')],
            ['µs/event (streamed)', fixed(tp.usPerEvent, 2)],
            ['µs/event (pipeline work only)', fixed(tp.hotPathUsPerEvent, 2)],
            ['µs/event JSON floor (parse+stringify)', fixed(tp.floorHotUsPerEvent, 2)],
            ['ratio to JSON floor (work)', `${fixed(tp.floorRatio, 2)}x`],
            ['ratio to JSON floor (streamed)', `${fixed(tp.floorRatioWithStreaming, 2)}x`],
            ['100k replay wall (first, cold pass)', `${fixed(tp.replayWallMs / 1000, 2)} s`],
            ['peak RSS after replay', `${fixed(tp.peakRssBytes / 1048576)} MB`],
            ['klaxon.yml load (parse+zod+compile)', `${fixed(tp.configLoadMs, 2)} ms`],
          ],
          new Set([1]),
        ),
      );
    }
    if (logs) {
      out(
        `\nLog output (PowertoolsObserver, deliver mode, ${logs.alerts} alerts in ${logs.invocations} invocations)`,
      );
      out(
        table(
          [
            ['figure', 'value'],
            ['bytes per alert (logs + EMF)', Math.round(logs.bytesPerAlert).toString()],
            [
              '  log lines per alert',
              `${Math.round(logs.logBytesPerAlert)} B (${fixed(logs.logLines / logs.alerts, 2)} lines)`,
            ],
            [
              '  EMF per alert',
              `${Math.round(logs.emfBytesPerAlert)} B (${fixed(logs.emfLines / logs.alerts, 2)} blobs)`,
            ],
            ['average decision line', `${Math.round(logs.avgDecisionLineBytes)} B`],
            ['largest line', `${logs.largestLineBytes} B`],
          ],
          new Set([1]),
        ),
      );
    }
    if (profile) {
      out(`\nCPU profile of one pipeline pass (${fixed(profile.totalMs, 0)} ms sampled): top self time`);
      out(
        table(
          [
            ['function', 'module', 'self ms', '%'],
            ...profile.functions.map((f) => [f.name, f.module, fixed(f.selfMs, 0), fixed(f.selfPercent)]),
          ],
          new Set([2, 3]),
        ),
      );
      out('\nSelf time by module/package');
      out(
        table(
          [
            ['module', 'self ms', '%'],
            ...profile.modules.map((m) => [m.module, fixed(m.selfMs, 0), fixed(m.selfPercent)]),
          ],
          new Set([1, 2]),
        ),
      );
    }

    if (stateTable) printStateTable(stateTable, out);

    const all = [
      ...checks(budgets, results, tp, logs, profile),
      ...(stateTable ? stateChecks(budgets, stateTable) : []),
    ];
    const checked = deterministicOnly ? all.filter((c) => c.deterministic) : all;
    const missed = printTargets(checked, out);

    const resultsFile = join(ROOT, 'bench/results.json');
    await writeFile(
      resultsFile,
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          mode: deterministicOnly ? 'deterministic-only' : 'full',
          esbuildOptions: esbuild,
          functions: results,
          throughput: tp,
          logs,
          profile,
          ...(stateTable ? stateTableFields(stateTable) : {}),
          checks: checked,
          durationMs: Date.now() - started,
        },
        null,
        2,
      )}\n`,
    );
    out(`Wrote bench/results.json in ${fixed((Date.now() - started) / 1000)} s.`);
    return args.check && missed.length > 0 ? 1 : 0;
  } finally {
    if (args.keep) process.stderr.write(`kept ${tmp}\n`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
