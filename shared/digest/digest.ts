import { isInformationalSource, type Severity } from '../alert/alert';
import type { DecisionRecord, SuppressionKind } from '../noise/record';
import type { RemediationRecord } from '../remediation/remediator';

/**
 * The digest: one summary of a period built from the decision records the noise stage keeps
 * (`decisions#<fingerprint>` sets) and the remediation audit records. Pure: no clock, no I/O.
 */

/** What a digest covers and how long its lists are. */
export interface DigestOptions {
  /** Start of the period (exclusive). */
  from: Date;
  /** End of the period (inclusive): when the digest runs. */
  to: Date;
  /** A firing that resolved within this many minutes (inclusive) is a tuning candidate. */
  quickResolveMinutes: number;
  /** How many entries each list shows. */
  top: number;
  /** `decisionRecords.keep`: a fingerprint holding that many records may have lost older ones of the period. */
  keep?: number;
  /** Count records made in preview mode (local replays); the deployed digest ignores them. */
  includePreview?: boolean;
}

/** The part of a remediation audit record the digest reads. */
export type RemediationActivity = Pick<
  RemediationRecord,
  'rule' | 'action' | 'outcome' | 'result' | 'decidedAt' | 'startedAt'
>;

/** One informational event (AWS Health, deployments, scaling, cost anomalies), as listed. */
export interface InformationalEvent {
  at: string;
  source: string;
  kind: string;
  severity: Severity;
  status: 'firing' | 'resolved';
  summary: string;
  account: string;
  region: string;
}

/** A fingerprint in a ranked list; `lowerBound` when older records of the period may have been dropped. */
export interface RankedAlarm {
  name: string;
  fingerprint: string;
  count: number;
  lowerBound: boolean;
}

/** An alarm that flapped during the period. */
export interface FlappingAlarm extends RankedAlarm {
  /** The latest flap-damping note (`started: …` or why a change was held). */
  latest: string;
}

/** An alarm that went back to normal on its own soon after firing. */
export interface QuickResolve {
  name: string;
  fingerprint: string;
  /** How many firings resolved within the limit. */
  count: number;
  shortestMs: number;
  longestMs: number;
  lastResolvedAt: string;
}

/** What the remediations of one action did in the period. */
export interface RemediationSummary {
  action: string;
  rules: string[];
  started: number;
  succeeded: number;
  failed: number;
  dryRun: number;
  pendingApproval: number;
  skipped: number;
}

/** The digest of one period. */
export interface Digest {
  from: string;
  to: string;
  hours: number;
  quickResolveMinutes: number;
  /** Nothing happened: no alert, no informational event, no remediation. */
  empty: boolean;
  alerts: {
    /** Firing transitions (each state change once, however many paths delivered it). */
    firing: number;
    resolved: number;
    /** Firing transitions that reached at least one receiver (not suppressed). */
    notified: number;
  };
  /** Firing transitions by severity. */
  bySeverity: Record<Severity, number>;
  /** Firing transitions by the routes that delivered them (the selected ones), most first. */
  byRoute: Array<{ route: string; count: number }>;
  /** Alerts recorded but not delivered, by what suppressed them, most first. */
  suppressed: Array<{ kind: SuppressionKind; count: number }>;
  informational: {
    total: number;
    /** Per source and `kind` label, most first. */
    counts: Array<{ source: string; kind: string; count: number }>;
    /** Newest first, at most `top`. */
    latest: InformationalEvent[];
  };
  /** Firing transitions per fingerprint, most first, at most `top`. */
  noisiest: RankedAlarm[];
  /** Fingerprints flap damping acted on; `count` is the state changes it saw (held or notified). */
  flapping: FlappingAlarm[];
  /** Firings resolved within `quickResolveMinutes`: candidates for a higher threshold or more evaluation periods. */
  quickResolves: QuickResolve[];
  remediations: RemediationSummary[];
}

const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/**
 * The name people know an alert by: the alarm; the detection and who (the fingerprint's principal);
 * the finding type and its resource; else the fingerprint.
 */
export function alertName(record: Pick<DecisionRecord, 'alert' | 'fingerprint'>): string {
  const labels = record.alert.labels;
  if (labels.alarmName) return labels.alarmName;
  if (labels.detection) {
    const who = labels.principal?.split(':').pop();
    return who ? `${labels.detection} (${who})` : labels.detection;
  }
  if (labels.findingType)
    return labels.resource ? `${labels.findingType} on ${labels.resource}` : labels.findingType;
  return record.fingerprint;
}

function sourceOf(record: DecisionRecord): string {
  return record.alert.labels.source ?? '';
}

function informational(record: DecisionRecord): boolean {
  return isInformationalSource(sourceOf(record));
}

function time(record: DecisionRecord): number {
  return Date.parse(record.at);
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function ranked<K>(map: Map<K, number>): Array<[K, number]> {
  return [...map].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
}

/**
 * Each transition once (the first record of it): SNS and EventBridge delivering one state change
 * leave two records. Follow-ups (repeats, a mute ending, a flap settling) carry a `note` and are kept
 * apart from the transition they follow.
 */
function distinct(records: readonly DecisionRecord[]): DecisionRecord[] {
  const seen = new Set<string>();
  return [...records]
    .sort((a, b) => time(a) - time(b))
    .filter((record) => {
      const key = `${record.transitionId}|${record.note ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function quickResolves(
  byFingerprint: ReadonlyMap<string, DecisionRecord[]>,
  inPeriod: (at: number) => boolean,
  limitMs: number,
): QuickResolve[] {
  const found: QuickResolve[] = [];
  for (const [fingerprint, records] of byFingerprint) {
    let episodeStart: number | undefined;
    let entry: QuickResolve | undefined;
    for (const record of records) {
      if (record.note !== undefined) continue;
      const at = time(record);
      if (record.alert.status === 'firing') {
        episodeStart ??= at;
        continue;
      }
      if (episodeStart !== undefined && inPeriod(at) && at - episodeStart <= limitMs) {
        const ms = at - episodeStart;
        entry ??= {
          name: alertName(record),
          fingerprint,
          count: 0,
          shortestMs: ms,
          longestMs: ms,
          lastResolvedAt: record.at,
        };
        entry.count += 1;
        entry.shortestMs = Math.min(entry.shortestMs, ms);
        entry.longestMs = Math.max(entry.longestMs, ms);
        entry.lastResolvedAt = record.at;
      }
      episodeStart = undefined;
    }
    if (entry) found.push(entry);
  }
  return found.sort(
    (a, b) => b.count - a.count || a.shortestMs - b.shortestMs || a.name.localeCompare(b.name),
  );
}

function remediationSummaries(
  remediations: readonly RemediationActivity[],
  inPeriod: (at: number) => boolean,
): RemediationSummary[] {
  const byAction = new Map<string, RemediationSummary & { ruleSet: Set<string> }>();
  for (const r of remediations) {
    if (!inPeriod(r.startedAt ?? r.decidedAt)) continue;
    const summary = byAction.get(r.action) ?? {
      action: r.action,
      rules: [],
      ruleSet: new Set<string>(),
      started: 0,
      succeeded: 0,
      failed: 0,
      dryRun: 0,
      pendingApproval: 0,
      skipped: 0,
    };
    summary.ruleSet.add(r.rule);
    if (r.outcome === 'started' || r.outcome === 'starting') summary.started += 1;
    if (r.outcome === 'dry-run') summary.dryRun += 1;
    if (r.outcome === 'pending-approval') summary.pendingApproval += 1;
    if (r.outcome === 'skipped') summary.skipped += 1;
    if (r.result === 'succeeded') summary.succeeded += 1;
    if (r.result === 'failed') summary.failed += 1;
    byAction.set(r.action, summary);
  }
  return [...byAction.values()]
    .map(({ ruleSet, ...summary }) => ({ ...summary, rules: [...ruleSet].sort() }))
    .sort((a, b) => a.action.localeCompare(b.action));
}

/** Builds the digest of the period `(from, to]` from decision records and remediation audit records. */
export function buildDigest(
  records: readonly DecisionRecord[],
  remediations: readonly RemediationActivity[],
  options: DigestOptions,
): Digest {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const inPeriod = (at: number) => at > from && at <= to;
  const kept = records.filter(
    (r) => (options.includePreview || r.mode !== 'preview') && !Number.isNaN(time(r)),
  );
  // How many records each fingerprint holds, to tell when the oldest of the period were dropped.
  const held = new Map<string, { count: number; oldest: number }>();
  for (const r of kept) {
    const h = held.get(r.fingerprint) ?? { count: 0, oldest: Number.POSITIVE_INFINITY };
    held.set(r.fingerprint, { count: h.count + 1, oldest: Math.min(h.oldest, time(r)) });
  }
  const lowerBound = (fingerprint: string) => {
    const h = held.get(fingerprint);
    return options.keep !== undefined && h !== undefined && h.count >= options.keep && h.oldest > from;
  };
  const all = distinct(kept);
  const period = all.filter((r) => inPeriod(time(r)));
  const info = period.filter(informational);
  const alerts = period.filter((r) => !informational(r));
  const arrivals = alerts.filter((r) => r.note === undefined);
  const firing = arrivals.filter((r) => r.alert.status === 'firing');

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byRoute = new Map<string, number>();
  const perFingerprint = new Map<string, number>();
  const names = new Map<string, string>();
  for (const r of firing) {
    bySeverity[r.alert.severity] += 1;
    for (const step of r.routes) if (step.selected) increment(byRoute, step.route);
    increment(perFingerprint, r.fingerprint);
    names.set(r.fingerprint, alertName(r));
  }
  const suppressed = new Map<SuppressionKind, number>();
  for (const r of [...arrivals, ...info]) if (r.suppressed) increment(suppressed, r.suppressed.kind);

  const flaps = new Map<string, FlappingAlarm>();
  for (const r of alerts) {
    const text = r.flapping ?? (r.suppressed?.kind === 'flapping' ? r.suppressed.reason : undefined);
    if (text === undefined) continue;
    const entry = flaps.get(r.fingerprint) ?? {
      name: alertName(r),
      fingerprint: r.fingerprint,
      count: 0,
      lowerBound: lowerBound(r.fingerprint),
      latest: text,
    };
    entry.count += 1;
    entry.latest = text;
    flaps.set(r.fingerprint, entry);
  }

  const infoCounts = new Map<string, number>();
  for (const r of info) increment(infoCounts, `${sourceOf(r)}\u0000${r.alert.labels.kind ?? ''}`);

  const byFingerprint = new Map<string, DecisionRecord[]>();
  for (const r of all) {
    if (informational(r)) continue;
    byFingerprint.set(r.fingerprint, [...(byFingerprint.get(r.fingerprint) ?? []), r]);
  }
  const remediationList = remediationSummaries(remediations, inPeriod);

  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    hours: Math.round(((to - from) / 3_600_000) * 100) / 100,
    quickResolveMinutes: options.quickResolveMinutes,
    empty: period.length === 0 && remediationList.length === 0,
    alerts: {
      firing: firing.length,
      resolved: arrivals.filter((r) => r.alert.status === 'resolved').length,
      notified: firing.filter((r) => !r.suppressed && r.receivers.length > 0).length,
    },
    bySeverity,
    byRoute: ranked(byRoute).map(([route, count]) => ({ route, count })),
    suppressed: ranked(suppressed).map(([kind, count]) => ({ kind, count })),
    informational: {
      total: info.length,
      counts: ranked(infoCounts).map(([key, count]) => {
        const [source = '', kind = ''] = key.split('\u0000');
        return { source, kind, count };
      }),
      latest: [...info]
        .reverse()
        .slice(0, options.top)
        .map((r) => ({
          at: r.at,
          source: sourceOf(r),
          kind: r.alert.labels.kind ?? '',
          severity: r.alert.severity,
          status: r.alert.status,
          summary: r.alert.summary,
          account: r.alert.labels.account ?? '',
          region: r.alert.labels.region ?? '',
        })),
    },
    noisiest: ranked(perFingerprint)
      .slice(0, options.top)
      .map(([fingerprint, count]) => ({
        name: names.get(fingerprint) ?? fingerprint,
        fingerprint,
        count,
        lowerBound: lowerBound(fingerprint),
      })),
    flapping: [...flaps.values()]
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
      .slice(0, options.top),
    quickResolves: quickResolves(byFingerprint, inPeriod, options.quickResolveMinutes * 60_000).slice(
      0,
      options.top,
    ),
    remediations: remediationList,
  };
}
