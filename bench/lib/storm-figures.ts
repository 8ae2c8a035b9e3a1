/**
 * The storm's figures, computed from what a receiver accepted: pure functions, no clock and no I/O,
 * so the unit tests can feed them adversarial records (duplicates, out-of-order times, nothing).
 */
import { prng } from './corpus';

/** One message a receiver accepted: when, the alerts it names, and how many alerts it stands for. */
export interface AcceptedMessage {
  /** Arrival time in milliseconds (any epoch; only differences matter). */
  at: number;
  /** The alert ids the message lists. */
  listed: readonly string[];
  /** How many alerts the message stands for (a group's size); at least `listed.length`. */
  size?: number;
}

/** What one receiver made of a storm. */
export interface ReceiverFigures {
  expected: number;
  /** Expected alerts listed by a message, or counted in a group's size beyond its list. */
  covered: number;
  /** Expected alerts neither listed nor counted. */
  lost: number;
  /** Extra copies: an id listed more than once, or sizes adding up to more alerts than remained. */
  duplicated: number;
  /** Listed ids that were never sent. */
  unexpected: number;
  messages: number;
  /** The most messages accepted in any one-second window. */
  peakPerSecond: number;
  /** First and last accepted message, in ms after `start`; undefined with no message. */
  firstMs?: number;
  lastMs?: number;
}

/** The most timestamps in any window of `windowMs` (half-open: `[t, t + windowMs)`), in any input order. */
export function peakPerWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= windowMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** Covered, lost, duplicated, peak per second and first/last of one receiver's accepted messages. */
export function receiverFigures(
  expectedIds: readonly string[],
  messages: readonly AcceptedMessage[],
  start: number,
): ReceiverFigures {
  const expected = new Set(expectedIds);
  const seen = new Map<string, number>();
  let unlisted = 0;
  for (const message of messages) {
    const listed = new Set<string>();
    for (const id of message.listed) {
      listed.add(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    unlisted += Math.max(0, (message.size ?? message.listed.length) - message.listed.length);
  }
  let listedExpected = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const [id, times] of seen) {
    if (expected.has(id)) listedExpected += 1;
    else unexpected += 1;
    duplicated += times - 1;
  }
  // Alerts a message only counts cannot be named: they cover what no message listed, and any
  // count beyond that can only be a second copy.
  const remaining = expected.size - listedExpected;
  const countedIn = Math.min(unlisted, remaining);
  duplicated += unlisted - countedIn;
  const times = messages.map((message) => message.at);
  return {
    expected: expected.size,
    covered: listedExpected + countedIn,
    lost: remaining - countedIn,
    duplicated,
    unexpected,
    messages: messages.length,
    peakPerSecond: peakPerWindow(times, 1000),
    ...(times.length > 0 ? { firstMs: Math.min(...times) - start, lastMs: Math.max(...times) - start } : {}),
  };
}

/** The target on messages: at most one per (window touched × group key), plus the pages. */
export function messageBudget(input: {
  start: number;
  end: number;
  windowSeconds: number;
  groupKeys: number;
  pages: number;
}): number {
  const windowMs = input.windowSeconds * 1000;
  const windows = Math.floor(input.end / windowMs) - Math.floor(input.start / windowMs) + 1;
  return Math.max(0, windows) * input.groupKeys + input.pages;
}

/** One storm alarm: its unique name, whether it is critical (1 in 100), its region and namespace. */
export interface StormAlarm {
  name: string;
  critical: boolean;
  region: string;
  metric: string;
}

const METRICS = [
  '5XXError',
  'CPUUtilization',
  'Latency',
  'Errors',
  'Throttles',
  'ApproximateAgeOfOldestMessage',
];

/**
 * N distinct alarms from a seed: exactly 1% critical (every 100th, so counts are exact), names
 * unique, metric names drawn from the seeded PRNG.
 */
export function stormAlarms(count: number, seed: number, region = 'us-east-1'): StormAlarm[] {
  const random = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const metric = METRICS[Math.floor(random() * METRICS.length)] as string;
    const n = String(i + 1).padStart(5, '0');
    const critical = (i + 1) % 100 === 0;
    return {
      name: `storm-${n}-${metric.toLowerCase()}-${critical ? 'crit' : 'warn'}`,
      critical,
      region,
      metric,
    };
  });
}

/** Storm alarm names as they appear anywhere in a message body. */
const NAME = /storm-\d{5}-[a-z0-9]+-(?:crit|warn)(?![a-z0-9])/g;

/** The distinct storm alarm names anywhere in a value (a message body, or part of it). */
export function namesIn(value: unknown): string[] {
  return [...new Set(JSON.stringify(value ?? null).match(NAME) ?? [])];
}

/** A Slack group message lists some alarms and says `…and N more` for the rest. */
export function slackMessage(body: unknown, at: number): AcceptedMessage {
  const listed = namesIn(body);
  const more = /…and (\d+) more/.exec(JSON.stringify(body ?? null));
  return { at, listed, size: listed.length + Number(more?.[1] ?? 0) };
}

/** Klaxon's webhook group body counts every member in `group.size`; a single alert is one. */
export function klaxonWebhookMessage(body: unknown, at: number): AcceptedMessage {
  const group = (body as { group?: { size?: number } } | undefined)?.group;
  const listed = namesIn((body as { alerts?: unknown } | undefined)?.alerts ?? body);
  return { at, listed, size: group?.size ?? listed.length };
}

/** Process CPU time (user + system) of a running process, in ms, from /proc/<pid>/stat. */
export function processCpuMs(statLine: string, ticksPerSecond = 100): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}
