import type { ProfileEntry } from './profile';

/** What the throughput child measures of its memory right after the first (cold) pipeline pass. */
export interface MemoryBreakdown {
  /** RSS after loading klaxon.yml and building the receivers, before the first event. */
  rssBeforeBytes: number;
  /** `process.memoryUsage()` right after the pass. */
  rssBytes: number;
  heapTotalBytes: number;
  heapUsedBytes: number;
  /** Memory of C++ objects bound to JS, array buffers included. */
  externalBytes: number;
  /** V8 heap spaces, by committed size. */
  heapSpaces: Array<{ name: string; bytes: number }>;
}

/** Node's own modules that stream the NDJSON corpus: bench I/O, excluded from the work the JSON-floor ratio compares. */
const STREAMING = /^node:(?:internal\/)?(?:readline|streams|string_decoder|fs|events|buffer)\b/;

/** Profile entries that do no pipeline work: time waiting for input, and streaming the corpus. */
export function isPipelineWork(entry: Pick<ProfileEntry, 'name' | 'module'>): boolean {
  return entry.name !== '(idle)' && !STREAMING.test(entry.module);
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const pct = (part: number, whole: number) => `${whole > 0 ? ((part * 100) / whole).toFixed(0) : '0'}%`;

/**
 * The top self-time functions of a profiled pipeline pass, with their share of the sampled time,
 * for example `processEventText (shared/pipeline.ts) 5.9%, (garbage collector) 4.1%`.
 * `workOnly` leaves out streaming (for the JSON-floor ratio, which excludes it on both sides).
 */
export function profileInTheWay(
  functions: readonly ProfileEntry[],
  options: { top?: number; workOnly?: boolean } = {},
): string {
  const entries = functions
    .filter((f) => f.name !== '(idle)' && (!options.workOnly || isPipelineWork(f)))
    .slice()
    .sort((a, b) => b.selfPercent - a.selfPercent)
    .slice(0, options.top ?? 5);
  return entries
    .map((f) => {
      const where = f.module === '(native)' ? '' : ` (${f.module.replace(/^node_modules\//, '')})`;
      return `${f.name}${where} ${f.selfPercent.toFixed(1)}%`;
    })
    .join(', ');
}

/**
 * Where the RSS of the replay goes, as shares of the RSS right after it: the V8 heap (with its
 * largest spaces and how much of it is live), external memory, and the rest (code, stacks,
 * the allocator); then how much was already resident before the first event.
 */
export function memoryInTheWay(memory: MemoryBreakdown, topSpaces = 2): string {
  const rss = memory.rssBytes;
  const other = Math.max(0, rss - memory.heapTotalBytes - memory.externalBytes);
  const spaces = [...memory.heapSpaces]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, topSpaces)
    .map((s) => `${s.name} ${mb(s.bytes)}`)
    .join(', ');
  return [
    `V8 heap ${mb(memory.heapTotalBytes)} ${pct(memory.heapTotalBytes, rss)} (${mb(memory.heapUsedBytes)} live${spaces ? `; ${spaces}` : ''})`,
    `other native ${mb(other)} ${pct(other, rss)}`,
    `external ${mb(memory.externalBytes)} ${pct(memory.externalBytes, rss)}`,
    `${mb(memory.rssBeforeBytes)} resident before the first event`,
  ].join(', ');
}
