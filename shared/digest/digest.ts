import { isInformationalSource, type Severity } from '../alert/alert';
import type { DecisionRecord, SuppressionKind } from '../noise/record';
import type { RemediationRecord } from '../remediation/remediator';
import { alertName as sharedAlertName } from '../alert/name';

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
  return sharedAlertName(labels, record.fingerprint);
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
 * Each transition once (the first record of it), oldest first: SNS and EventBridge delivering one
 * state change leave two records. Follow-ups (repeats, a mute ending, a flap settling) carry a
 * `note` and are kept apart from the transition they follow. Ties in time are broken by transition,
 * so the order does not depend on the order the records were read in.
 */
function distinct(records: readonly DecisionRecord[]): DecisionRecord[] {
  const seen = new Set<string>();
  return [...records]
    .sort((a, b) => time(a) - time(b) || a.transitionId.localeCompare(b.transitionId))
    .filter((record) => {
      const key = `${record.transitionId}|${record.note ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The firings of one fingerprint resolved within `limitMs`, or undefined (its records oldest first). */
function quickResolve(
  fingerprint: string,
  arrivals: readonly DecisionRecord[],
  inPeriod: (at: number) => boolean,
  limitMs: number,
): QuickResolve | undefined {
  let episodeStart: number | undefined;
  let entry: QuickResolve | undefined;
  for (const record of arrivals) {
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
  return entry;
}

/** The first `limit` items offered, in `compare` order; the rest are dropped as they come. */
class TopList<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    const last = this.items[this.items.length - 1];
    if (this.items.length >= this.limit && (last === undefined || this.compare(item, last) >= 0)) return;
    const index = this.items.findIndex((other) => this.compare(item, other) < 0);
    this.items.splice(index === -1 ? this.items.length : index, 0, item);
    if (this.items.length > this.limit) this.items.length = this.limit;
  }

  list(): T[] {
    return [...this.items];
  }
}

type RemediationTally = Omit<RemediationSummary, 'rules'> & { ruleSet: Set<string> };

/**
 * Builds a digest incrementally, so a whole state table never has to be in memory: the decision
 * records of one fingerprint at a time (a `decisions#` set holds them all), remediation audit
 * records one by one. Each batch is reduced at once to counters and bounded lists (`top` entries):
 * the records themselves, in the period or not, are dropped when the call returns. The result does
 * not depend on the order fingerprints and remediations are added in. `buildDigest` is this builder
 * fed from arrays.
 */
export class DigestBuilder {
  private readonly from: number;
  private readonly to: number;
  private arrivals = 0;
  private readonly alerts = { firing: 0, resolved: 0, notified: 0 };
  private readonly bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  private readonly byRoute = new Map<string, number>();
  private readonly suppressed = new Map<SuppressionKind, number>();
  private informationalTotal = 0;
  private readonly informationalCounts = new Map<string, number>();
  private readonly latest: TopList<InformationalEvent & { time: number; key: string }>;
  private readonly noisiest: TopList<RankedAlarm>;
  private readonly flapping: TopList<FlappingAlarm>;
  private readonly quickResolves: TopList<QuickResolve>;
  private readonly remediations = new Map<string, RemediationTally>();

  constructor(private readonly options: DigestOptions) {
    this.from = options.from.getTime();
    this.to = options.to.getTime();
    const top = options.top;
    this.latest = new TopList(top, (a, b) => b.time - a.time || a.key.localeCompare(b.key));
    this.noisiest = new TopList(
      top,
      (a, b) => b.count - a.count || a.fingerprint.localeCompare(b.fingerprint),
    );
    this.flapping = new TopList(
      top,
      (a, b) =>
        b.count - a.count || a.name.localeCompare(b.name) || a.fingerprint.localeCompare(b.fingerprint),
    );
    this.quickResolves = new TopList(
      top,
      (a, b) =>
        b.count - a.count ||
        a.shortestMs - b.shortestMs ||
        a.name.localeCompare(b.name) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
  }

  private inPeriod(at: number): boolean {
    return at > this.from && at <= this.to;
  }

  /**
   * Adds decision records. Every record of a fingerprint must come in the same call (one
   * `decisions#` set, or a whole list): what is counted per fingerprint is final once added.
   */
  addDecisions(records: readonly DecisionRecord[]): void {
    const byFingerprint = new Map<string, DecisionRecord[]>();
    for (const r of records) {
      if ((!this.options.includePreview && r.mode === 'preview') || Number.isNaN(time(r))) continue;
      const list = byFingerprint.get(r.fingerprint);
      if (list) list.push(r);
      else byFingerprint.set(r.fingerprint, [r]);
    }
    for (const [fingerprint, kept] of byFingerprint) this.addFingerprint(fingerprint, kept);
  }

  private addFingerprint(fingerprint: string, kept: readonly DecisionRecord[]): void {
    const { keep } = this.options;
    // The set holds `keep` records, all inside the period: older records of the period may have been dropped.
    const lowerBound = keep !== undefined && kept.length >= keep && kept.every((r) => time(r) > this.from);
    // Follow-ups (`note`: a repeat, a mute ending, a flap settling) repeat a transition already
    // counted: no section counts them.
    const arrivals = distinct(kept).filter((r) => r.note === undefined);
    let firing = 0;
    let name = fingerprint;
    let flap: FlappingAlarm | undefined;
    for (const r of arrivals) {
      if (!this.inPeriod(time(r))) continue;
      this.arrivals += 1;
      if (r.suppressed) increment(this.suppressed, r.suppressed.kind);
      if (informational(r)) {
        this.addInformational(r);
        continue;
      }
      if (r.alert.status === 'firing') {
        firing += 1;
        name = alertName(r);
        this.alerts.firing += 1;
        this.bySeverity[r.alert.severity] += 1;
        for (const step of r.routes) if (step.selected) increment(this.byRoute, step.route);
        if (!r.suppressed && r.receivers.length > 0) this.alerts.notified += 1;
      } else {
        this.alerts.resolved += 1;
      }
      const text = r.flapping ?? (r.suppressed?.kind === 'flapping' ? r.suppressed.reason : undefined);
      if (text !== undefined) {
        flap ??= { name: alertName(r), fingerprint, count: 0, lowerBound, latest: text };
        flap.count += 1;
        flap.latest = text;
      }
    }
    if (firing > 0) this.noisiest.offer({ name, fingerprint, count: firing, lowerBound });
    if (flap) this.flapping.offer(flap);
    const alarms = arrivals.filter((r) => !informational(r));
    const quick = quickResolve(
      fingerprint,
      alarms,
      (at) => this.inPeriod(at),
      this.options.quickResolveMinutes * 60_000,
    );
    if (quick) this.quickResolves.offer(quick);
  }

  private addInformational(r: DecisionRecord): void {
    this.informationalTotal += 1;
    increment(this.informationalCounts, `${sourceOf(r)}\u0000${r.alert.labels.kind ?? ''}`);
    this.latest.offer({
      time: time(r),
      key: `${r.fingerprint}\u0000${r.transitionId}`,
      at: r.at,
      source: sourceOf(r),
      kind: r.alert.labels.kind ?? '',
      severity: r.alert.severity,
      status: r.alert.status,
      summary: r.alert.summary,
      account: r.alert.labels.account ?? '',
      region: r.alert.labels.region ?? '',
    });
  }

  /** Adds one remediation audit record (counted when it started, or was decided, within the period). */
  addRemediation(r: RemediationActivity): void {
    if (!this.inPeriod(r.startedAt ?? r.decidedAt)) return;
    const summary = this.remediations.get(r.action) ?? {
      action: r.action,
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
    this.remediations.set(r.action, summary);
  }

  /** The digest of everything added so far. */
  build(): Digest {
    const remediations = [...this.remediations.values()]
      .map(({ ruleSet, ...summary }) => ({ ...summary, rules: [...ruleSet].sort() }))
      .sort((a, b) => a.action.localeCompare(b.action));
    return {
      from: this.options.from.toISOString(),
      to: this.options.to.toISOString(),
      hours: Math.round(((this.to - this.from) / 3_600_000) * 100) / 100,
      quickResolveMinutes: this.options.quickResolveMinutes,
      empty: this.arrivals === 0 && remediations.length === 0,
      alerts: { ...this.alerts },
      bySeverity: { ...this.bySeverity },
      byRoute: ranked(this.byRoute).map(([route, count]) => ({ route, count })),
      suppressed: ranked(this.suppressed).map(([kind, count]) => ({ kind, count })),
      informational: {
        total: this.informationalTotal,
        counts: ranked(this.informationalCounts).map(([key, count]) => {
          const [source = '', kind = ''] = key.split('\u0000');
          return { source, kind, count };
        }),
        latest: this.latest.list().map(({ time: _time, key: _key, ...event }) => event),
      },
      noisiest: this.noisiest.list(),
      flapping: this.flapping.list(),
      quickResolves: this.quickResolves.list(),
      remediations,
    };
  }
}

/** Builds the digest of the period `(from, to]` from decision records and remediation audit records. */
export function buildDigest(
  records: readonly DecisionRecord[],
  remediations: readonly RemediationActivity[],
  options: DigestOptions,
): Digest {
  const builder = new DigestBuilder(options);
  builder.addDecisions(records);
  for (const r of remediations) builder.addRemediation(r);
  return builder.build();
}
