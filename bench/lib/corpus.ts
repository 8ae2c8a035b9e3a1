import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadConfig } from '../../shared/config/yaml';
import { silentObserver } from '../../shared/observability/observer';
import { type PipelineDeps, processEventText } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';

/** The kinds of line in the generated corpus. */
export const CORPUS_KINDS = [
  'sns-alarm',
  'eventbridge-alarm',
  'alarm-action',
  'ok-transition',
  'multi-record',
  'ignored',
  'malformed',
] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

/** Share of each kind in the corpus (sums to 1). */
export const CORPUS_MIX: Readonly<Record<CorpusKind, number>> = {
  'sns-alarm': 0.33,
  'eventbridge-alarm': 0.22,
  'alarm-action': 0.1,
  'ok-transition': 0.15,
  'multi-record': 0.08,
  ignored: 0.04,
  malformed: 0.08,
};

/** What was written. */
export interface CorpusSummary {
  file: string;
  events: number;
  bytes: number;
  kinds: Record<CorpusKind, number>;
  fixtures: number;
}

/** A deterministic PRNG (mulberry32), so every run replays the same corpus. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Template {
  file: string;
  /** Compact JSON (or raw text for non-JSON fixtures). */
  text: string;
  /** The same event with every alarm transition flipped to OK (ALARM → OK), when it has one. */
  okText?: string;
  names: string[];
  accounts: string[];
  regions: string[];
  snsRecords?: unknown[];
}

const ALARM_ARN = /arn:aws:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:([A-Za-z0-9._\-/]+)/g;
const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
  'ca-central-1',
];
const NAME_TEMPLATES = [
  (s: string) => `api-${s}-5xx`, // severity rule: critical, runbook
  (s: string) => `service-down-${s}`, // critical, runbook
  (s: string) => `${s}-critical`, // critical
  (s: string) => `${s}-error-rate`, // error (regex rule)
  (s: string) => `${s}-dlq-not-empty`, // error (regex rule)
  (s: string) => `${s}-cpu-high`, // default severity
  (s: string) => `${s}-latency-p99`, // default severity
  (s: string) => `${s}-queue-age`, // default severity
];
const WORDS = [
  'orders',
  'billing',
  'search',
  'checkout',
  'auth',
  'payments',
  'catalog',
  'inventory',
  'email',
  'reports',
  'ingest',
  'edge',
];

function extract(text: string): { names: string[]; accounts: string[]; regions: string[] } {
  const names = new Set<string>();
  const accounts = new Set<string>();
  const regions = new Set<string>();
  for (const match of text.matchAll(ALARM_ARN)) {
    if (match[1]) regions.add(match[1]);
    if (match[2]) accounts.add(match[2]);
    if (match[3]) names.add(match[3]);
  }
  // Longest first, so a name that contains another is replaced whole.
  return {
    names: [...names].sort((a, b) => b.length - a.length),
    accounts: [...accounts],
    regions: [...regions],
  };
}

function flipToOk(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const event = structuredClone(value) as Record<string, unknown>;
  const records = Array.isArray(event.Records) ? event.Records : undefined;
  if (records) {
    for (const record of records as Array<{ Sns?: { Message?: string } }>) {
      const message = record.Sns?.Message;
      if (!message?.startsWith('{')) continue;
      const parsed = JSON.parse(message) as Record<string, unknown>;
      if ('NewStateValue' in parsed) {
        parsed.OldStateValue = parsed.NewStateValue === 'OK' ? 'ALARM' : parsed.NewStateValue;
        parsed.NewStateValue = 'OK';
        if (record.Sns) record.Sns.Message = JSON.stringify(parsed);
      }
    }
    return event;
  }
  const detail = (event.detail ?? (event.alarmData as unknown)) as
    { state?: { value?: string }; previousState?: { value?: string } } | undefined;
  if (detail?.state?.value) {
    if (detail.previousState)
      detail.previousState.value = detail.state.value === 'OK' ? 'ALARM' : detail.state.value;
    detail.state.value = 'OK';
  }
  return event;
}

async function listFixtures(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Reads the fixtures in `events/` and sorts them into pools by what the real pipeline makes of them. */
export async function fixturePools(root: string): Promise<Record<CorpusKind, Template[]>> {
  const config = loadConfig(await readFile(join(root, 'klaxon.yml'), 'utf8'));
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
    now: () => new Date('2026-03-14T12:00:00Z'),
  };
  const pools = Object.fromEntries(CORPUS_KINDS.map((k) => [k, [] as Template[]])) as Record<
    CorpusKind,
    Template[]
  >;
  for (const path of await listFixtures(join(root, 'events'))) {
    const raw = await readFile(path, 'utf8');
    let value: unknown;
    let text = raw.replace(/\s*\n\s*/g, ' ').trim();
    try {
      value = JSON.parse(raw);
      text = JSON.stringify(value);
    } catch {
      value = undefined;
    }
    const result = await processEventText(text, deps);
    const template: Template = { file: relative(root, path), text, ...extract(text) };
    if (result.outcome === 'invalid') {
      pools.malformed.push(template);
      continue;
    }
    if (result.outcome === 'ignored' || result.alerts.length === 0) {
      pools.ignored.push(template);
      continue;
    }
    const records = (value as { Records?: unknown[] }).Records;
    if (result.alerts.some((a) => a.decision.alert.status === 'firing')) {
      template.okText = JSON.stringify(flipToOk(value));
    }
    if (records && records.length > 1) {
      pools['multi-record'].push(template);
      continue;
    }
    if (records) template.snsRecords = records;
    const path0 = result.alerts[0]?.decision.alert.path;
    if (result.alerts.every((a) => a.decision.alert.status === 'resolved'))
      pools['ok-transition'].push(template);
    if (path0 === 'sns') pools['sns-alarm'].push(template);
    else if (path0 === 'eventbridge') pools['eventbridge-alarm'].push(template);
    else pools['alarm-action'].push(template);
  }
  return pools;
}

/** Generates `count` mixed events by mutating the fixtures and writes them as NDJSON to `file`. */
export async function writeCorpus(
  root: string,
  file: string,
  count: number,
  seed = 8,
): Promise<CorpusSummary> {
  const pools = await fixturePools(root);
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('empty pool');
    return item;
  };
  const services = Array.from({ length: 600 }, (_, i) => `${pick(WORDS)}-${i.toString(36)}`);
  const accounts = Array.from({ length: 24 }, (_, i) =>
    String(210987654321 + i * 1_000_003).padStart(12, '0'),
  );
  const firing = [...pools['sns-alarm'], ...pools['eventbridge-alarm'], ...pools['alarm-action']].filter(
    (t) => t.okText,
  );
  const snsSingles = pools['sns-alarm'].filter((t) => t.snsRecords);

  const mutate = (template: Template, text: string): string => {
    let out = text;
    for (const name of template.names) out = out.split(name).join(pick(NAME_TEMPLATES)(pick(services)));
    for (const account of template.accounts) out = out.split(account).join(pick(accounts));
    for (const region of template.regions) out = out.split(region).join(pick(REGIONS));
    return out;
  };
  const line = (kind: CorpusKind): string => {
    switch (kind) {
      case 'ok-transition': {
        const template = pick(firing);
        return mutate(template, template.okText ?? template.text);
      }
      case 'multi-record': {
        if (random() < 0.25 && pools['multi-record'].length > 0) {
          const template = pick(pools['multi-record']);
          return mutate(template, template.text);
        }
        const size = 2 + Math.floor(random() * 4);
        const records = Array.from({ length: size }, () => {
          const template = pick(snsSingles);
          const text = random() < 0.3 && template.okText ? template.okText : template.text;
          const event = JSON.parse(mutate(template, text)) as { Records: unknown[] };
          return event.Records[0];
        });
        return JSON.stringify({ Records: records });
      }
      case 'malformed': {
        if (random() < 0.3) {
          // A line cut short: what a truncated payload looks like.
          const template = pick(snsSingles);
          const text = mutate(template, template.text);
          return text.slice(0, 40 + Math.floor(random() * (text.length - 80)));
        }
        const template = pick(pools.malformed);
        return mutate(template, template.text);
      }
      default: {
        const template = pick(pools[kind]);
        return mutate(template, template.text);
      }
    }
  };

  const kinds = Object.fromEntries(CORPUS_KINDS.map((k) => [k, 0])) as Record<CorpusKind, number>;
  let sum = 0;
  const cumulative = CORPUS_KINDS.map((k) => (sum += CORPUS_MIX[k]));
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    let chunk: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const r = random();
      const index = cumulative.findIndex((c) => r < c);
      const kind = CORPUS_KINDS[index === -1 ? 0 : index] ?? 'sns-alarm';
      kinds[kind] += 1;
      chunk.push(line(kind).replace(/\n/g, ' '));
      if (chunk.length === 2000 || i === count - 1) {
        const text = `${chunk.join('\n')}\n`;
        bytes += Buffer.byteLength(text);
        writeSync(fd, text);
        chunk = [];
      }
    }
  } finally {
    closeSync(fd);
  }
  const fixtures = Object.values(pools).reduce((n, pool) => n + pool.length, 0);
  return { file, events: count, bytes, kinds, fixtures };
}

/** One event of the state-table scenario, and what it is there for. */
export interface ScenarioEvent {
  kind: 'firing' | 'resolve' | 'duplicate' | 'storm';
  text: string;
}

/** What the state-table scenario holds. */
export interface ScenarioOptions {
  /** Alarms that fire and then resolve (each a pair of events). */
  pairs: number;
  /** Distinct alarms that fire at once in one region (warning severity: grouped by region). */
  storm: number;
  /** Share of firing events redelivered once (SNS and EventBridge deliver at least once). */
  duplicateShare: number;
}

/**
 * The events of `npm run bench -- --state-table`: `pairs` alarms that fire and resolve a few alarms
 * later (the same names, account and region in both events), a share of them redelivered, then a
 * storm of distinct alarms in one region. Deterministic for a seed.
 */
export async function scenarioEvents(
  root: string,
  options: ScenarioOptions,
  seed = 8,
): Promise<ScenarioEvent[]> {
  const pools = await fixturePools(root);
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('empty pool');
    return item;
  };
  // CloudWatch alarms only (their ARN names the alarm): what the alarm notifier is for.
  const firing = [...pools['sns-alarm'], ...pools['eventbridge-alarm'], ...pools['alarm-action']].filter(
    (t) => t.okText && t.names.length > 0,
  );
  const substitute = (template: Template, text: string, map: Map<string, string>): string => {
    let out = text;
    for (const from of [...template.names, ...template.accounts, ...template.regions]) {
      const to = map.get(from);
      if (to !== undefined) out = out.split(from).join(to);
    }
    return out;
  };
  const mapping = (template: Template, name: (service: string) => string, region?: string) => {
    const map = new Map<string, string>();
    const service = `${pick(WORDS)}-${Math.floor(random() * 1e6).toString(36)}`;
    for (const n of template.names) map.set(n, name(service));
    for (const a of template.accounts)
      map.set(a, String(210987654321 + Math.floor(random() * 24) * 1_000_003));
    for (const r of template.regions) map.set(r, region ?? pick(REGIONS));
    return map;
  };
  const events: ScenarioEvent[] = [];
  const resolves: Array<{ due: number; text: string }> = [];
  const LAG = 8;
  for (let i = 0; i < options.pairs; i += 1) {
    const template = pick(firing);
    const map = mapping(template, pick(NAME_TEMPLATES));
    const text = substitute(template, template.text, map);
    events.push({ kind: 'firing', text });
    if (random() < options.duplicateShare) events.push({ kind: 'duplicate', text });
    resolves.push({ due: i + LAG, text: substitute(template, template.okText ?? template.text, map) });
    while (resolves[0] && resolves[0].due <= i)
      events.push({ kind: 'resolve', text: resolves.shift()?.text ?? '' });
  }
  for (const resolve of resolves) events.push({ kind: 'resolve', text: resolve.text });
  const stormRegion = pick(REGIONS);
  const singles = pools['sns-alarm'].filter((t) => t.okText && t.names.length === 1);
  for (let i = 0; i < options.storm; i += 1) {
    const template = pick(singles);
    const text = substitute(
      template,
      template.text,
      mapping(template, (s) => `${s}-cpu-high`, stormRegion),
    );
    events.push({ kind: 'storm', text });
  }
  return events;
}
