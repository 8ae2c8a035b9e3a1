/**
 * Throughput child (bundled by bench/run.ts and run in its own process, so its RSS is its own).
 * Streams an NDJSON corpus line by line through the real hot path (envelope → normalize →
 * classify/route → render payloads, `preview` mode, no network) and through a floor of
 * JSON.parse + JSON.stringify of the same lines (plus JSON.parse of each SNS `Message`),
 * alternately, and writes the figures as JSON.
 *
 * argv: <corpus.ndjson> <klaxon.yml> <result.json> <reps> [pipeline-only]
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { getHeapSpaceStatistics } from 'node:v8';
import type { MemoryBreakdown } from '../lib/in-the-way';
import { loadConfig } from '../../shared/config/yaml';
import { silentObserver } from '../../shared/observability/observer';
import { type PipelineDeps, processEventText } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';

/** One pass over the corpus. */
export interface PassResult {
  kind: 'pipeline' | 'floor';
  events: number;
  alerts: number;
  /** Wall time of the pass, streaming included (ms). */
  wallMs: number;
  /** Time spent in the per-event work only, streaming excluded (ms). */
  workMs: number;
  maxRssBytes: number;
}

/** What the child writes. */
export interface ThroughputResult {
  configLoadMs: number;
  passes: PassResult[];
  /** Peak RSS right after the first (cold) pipeline pass, before any floor pass. */
  maxRssAfterFirstPipelineBytes: number;
  /** Where the memory is right after the first pipeline pass (what stands in the way of the RSS target). */
  memoryAfterFirstPipeline: MemoryBreakdown;
  maxRssBytes: number;
  checksum: number;
}

const [corpus, configFile, resultFile, repsText, only] = process.argv.slice(2);
if (!corpus || !configFile || !resultFile)
  throw new Error('usage: throughput <corpus> <klaxon.yml> <result> [reps]');
const reps = Number(repsText ?? '3');

const t0 = process.hrtime.bigint();
const config = loadConfig(readFileSync(configFile, 'utf8'), configFile);
const configLoadMs = Number(process.hrtime.bigint() - t0) / 1e6;
const deps: PipelineDeps = {
  config,
  receivers: createReceivers(config.receivers, {
    secrets: new LocalSecretResolver({}),
    post: () => Promise.reject(new Error('no network in the bench')),
    clock: systemClock,
    consoleSink: () => {},
  }),
  mode: 'preview',
  observer: silentObserver,
  now: () => new Date(),
};

let checksum = 0;

/**
 * The floor parses each SNS record's `Message` too, as the pipeline must (an alarm arrives as JSON
 * inside the SNS envelope's JSON): the fair minimum for an SNS event is two parses.
 */
function innerParses(value: { Records?: Array<{ Sns?: { Message?: unknown } }> } | null): number {
  let parsed = 0;
  if (!Array.isArray(value?.Records)) return 0;
  for (const record of value.Records) {
    const message = record?.Sns?.Message;
    if (typeof message !== 'string' || !message.startsWith('{')) continue;
    try {
      parsed += JSON.parse(message) === null ? 0 : 1;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
  }
  return parsed & 1;
}

async function pass(kind: PassResult['kind']): Promise<PassResult> {
  const lines = createInterface({
    input: createReadStream(corpus as string, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let events = 0;
  let alerts = 0;
  let work = 0n;
  const start = process.hrtime.bigint();
  for await (const line of lines) {
    if (line.length === 0) continue;
    events += 1;
    const before = process.hrtime.bigint();
    if (kind === 'pipeline') {
      const result = await processEventText(line, deps);
      alerts += result.alerts.length;
      checksum += result.notices.length + result.errors.length;
    } else {
      try {
        const value = JSON.parse(line) as { Records?: Array<{ Sns?: { Message?: unknown } }> };
        checksum += JSON.stringify(value).length & 1;
        checksum += innerParses(value);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        checksum += 1;
      }
    }
    work += process.hrtime.bigint() - before;
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    kind,
    events,
    alerts,
    wallMs,
    workMs: Number(work) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function main(): Promise<void> {
  const passes: PassResult[] = [];
  let maxRssAfterFirstPipelineBytes = 0;
  let memoryAfterFirstPipeline: MemoryBreakdown | undefined;
  const rssBeforeBytes = process.memoryUsage().rss;
  for (let rep = 0; rep < reps; rep += 1) {
    const pipeline = await pass('pipeline');
    if (rep === 0) {
      maxRssAfterFirstPipelineBytes = pipeline.maxRssBytes;
      const usage = process.memoryUsage();
      memoryAfterFirstPipeline = {
        rssBeforeBytes,
        rssBytes: usage.rss,
        heapTotalBytes: usage.heapTotal,
        heapUsedBytes: usage.heapUsed,
        externalBytes: usage.external,
        heapSpaces: getHeapSpaceStatistics().map((s) => ({ name: s.space_name, bytes: s.space_size })),
      };
    }
    passes.push(pipeline);
    if (only !== 'pipeline-only') passes.push(await pass('floor'));
  }
  const result: ThroughputResult = {
    configLoadMs,
    passes,
    maxRssAfterFirstPipelineBytes,
    memoryAfterFirstPipeline: memoryAfterFirstPipeline as MemoryBreakdown,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    checksum,
  };
  writeFileSync(resultFile as string, JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`throughput child failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
