import type { InformationalKind, InformationalSource, Severity } from '../alert/alert';
import type { AlertDraft } from './types';

/**
 * Helpers shared by the normalizers of the informational sources (AWS Health, CodeDeploy, ECS,
 * Auto Scaling, Cost Anomaly Detection): operational events worth a dashboard line, never a page.
 * Their drafts carry `defaultSeverity: info` and a `kind` label from a closed set.
 */

/** Milliseconds of an ISO time (for transition ids); 0 when it does not parse. */
export function millisOf(iso: string): number {
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? 0 : millis;
}

/** The first non-empty line of a text, whitespace collapsed, cut to `max` characters. */
export function firstLine(text: string, max = 200): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Text with whitespace collapsed, cut to `max` characters. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What an informational normalizer decides; the helper below fills in the rest. */
export interface InformationalFacts {
  source: InformationalSource;
  kind: InformationalKind;
  account: string;
  region: string;
  /** Source-specific labels (never overwrite source, account, region or kind). */
  labels: Record<string, string | undefined>;
  annotations: AlertDraft['annotations'];
  status: AlertDraft['status'];
  fingerprint: string;
  transitionId: string;
  startsAt: string;
  observedAt: string;
  path: AlertDraft['path'];
  links: AlertDraft['links'];
  partition: AlertDraft['partition'];
  /** `info` unless the source says otherwise (AWS Health abuse events: `warning`). */
  defaultSeverity?: Severity;
  /** True for events that never resolve (see AlertDraft.pointEvent). */
  pointEvent?: boolean;
  raw: unknown;
}

/** Builds the draft of an informational alert: `defaultSeverity` info, and the `kind` label set. */
export function informationalDraft(facts: InformationalFacts): AlertDraft {
  const extra = Object.fromEntries(
    Object.entries(facts.labels).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' &&
        entry[1] !== '' &&
        !['source', 'account', 'region', 'kind'].includes(entry[0]),
    ),
  );
  return {
    labels: {
      ...extra,
      source: facts.source,
      account: facts.account,
      region: facts.region,
      kind: facts.kind,
    },
    annotations: facts.annotations,
    status: facts.status,
    fingerprint: facts.fingerprint,
    transitionId: facts.transitionId,
    startsAt: facts.startsAt,
    observedAt: facts.observedAt,
    path: facts.path,
    links: facts.links,
    partition: facts.partition,
    defaultSeverity: facts.defaultSeverity ?? 'info',
    ...(facts.pointEvent ? { pointEvent: true } : {}),
    raw: facts.raw,
  };
}

/**
 * The separate alert a failed deployment raises besides resolving its in-progress alert: a point
 * event (`outcome: failed`) that a severity rule can page on, where a resolve never could.
 */
export function deploymentFailureDraft(ended: AlertDraft): AlertDraft {
  const fingerprint = `${ended.fingerprint}|failed`;
  return {
    ...ended,
    labels: { ...ended.labels, outcome: 'failed' },
    status: 'firing',
    fingerprint,
    transitionId: `${fingerprint}|${ended.transitionId.split('|').pop() ?? ''}`,
    pointEvent: true,
  };
}

/** A short name for an informational alert in tables (`klaxon replay`, `klaxon diff`), or undefined for others. */
export function informationalName(labels: Readonly<Record<string, string | undefined>>): string | undefined {
  switch (labels.kind) {
    case 'health':
      return labels.eventTypeCode;
    case 'deployment':
      return labels.deploymentId ? `${labels.service ?? 'deploy'} ${labels.deploymentId}` : undefined;
    case 'scaling':
      return labels.autoScalingGroup
        ? `${labels.autoScalingGroup} ${labels.activity ?? ''}`.trim()
        : undefined;
    case 'cost-anomaly':
      return `cost anomaly ${labels.service ?? labels.monitor ?? ''}`.trim();
    default:
      return undefined;
  }
}
