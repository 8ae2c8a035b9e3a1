import type { Alert } from '../alert/alert';
import { mapSeverityWord } from '../alert/severity';
import type { KlaxonConfig } from '../config/load';
import { alarmConsoleUrl, resolveRunbook } from '../enrichment/links';
import { findReceiverDescriptor } from '../receivers/lookup';
import type { AlertDraft } from '../sources/types';
import { matchRoutes } from './routes';

/** Where an alert's severity came from, for the decision log. */
export type SeveritySource = 'event' | 'rule' | 'default' | 'no-data policy';

/** Everything Klaxon decided about one alert before delivery. */
export interface Decision {
  alert: Alert;
  severitySource: SeveritySource;
  /** Names of the routes that matched, in evaluation order. */
  routes: string[];
  /** Receivers to deliver to, in route order, without repeats. */
  receivers: string[];
  /** Receivers the routes named but a policy left out, with the reason. */
  skipped: Array<{ receiver: string; reason: string }>;
  /** Why nothing is delivered at all, when that is the decision. */
  suppressed?: string;
  /** Storm grouping for a receiver, from the first matched route that delivers to it. */
  groups: Record<string, { route: string; by: readonly string[]; windowSeconds: number }>;
}

/** Settles severity, runbook and console link of a normalized alert (the classify and link stages). */
export function classify(
  draft: AlertDraft,
  config: KlaxonConfig,
): { alert: Alert; severitySource: SeveritySource } {
  const {
    severityHint,
    runbookHint,
    partition,
    topicArn,
    suppressedBySource: _suppressed,
    pointEvent: _pointEvent,
    alarmTags: _alarmTags,
    eventBridgeInSns: _wrapped,
    defaultSeverity,
    detectionScreen: _screen,
    ...rest
  } = draft;
  const annotations = { ...draft.annotations };
  const topic = topicArn ? config.intake.alarmTopics.find((t) => t.arn === topicArn) : undefined;
  if (topic?.name) rest.labels = { ...rest.labels, topic: topic.name };
  // The source's own default (informational sources: info) applies only when no hint or rule decides.
  let severity = defaultSeverity ?? config.defaults.severity;
  let severitySource: SeveritySource = 'default';
  const matchable = { ...rest.labels, status: draft.status };
  if (draft.noData) {
    severity = config.defaults.insufficientData.severity;
    severitySource = 'no-data policy';
  } else if (severityHint) {
    const mapped = mapSeverityWord(severityHint.word, config.defaults.severity);
    severity = mapped.severity;
    severitySource = mapped.note ? 'default' : 'event';
    if (mapped.note) annotations.severityNote = `${severityHint.from}: ${mapped.note}`;
  } else {
    const rule = config.severityRules.find((r) => r.matcher.matches(matchable));
    if (rule) {
      severity = rule.severity;
      severitySource = 'rule';
    }
  }
  const runbook = resolveRunbook(matchable, config.runbooks, runbookHint, draft.annotations.description);
  if (runbook) annotations.runbookUrl = runbook.url;
  if (draft.labels.source === 'cloudwatch-alarm' && draft.labels.alarmName && partition) {
    annotations.consoleUrl = alarmConsoleUrl(partition, draft.labels.region, draft.labels.alarmName);
  }
  return { alert: { ...rest, annotations, severity }, severitySource };
}

/** True for receivers that page a human (they get no-data notices never, resolves always). */
export function isPagingReceiver(config: KlaxonConfig, receiver: string): boolean {
  const type = config.receivers[receiver]?.type;
  return type !== undefined && findReceiverDescriptor(type)?.pages === true;
}

/** Routes a classified alert through the tree and applies the alarm-state policies (DESIGN.md, "status"). */
export function decide(
  draft: AlertDraft,
  classified: { alert: Alert; severitySource: SeveritySource },
  config: KlaxonConfig,
): Decision {
  const { alert, severitySource } = classified;
  const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
  const matched = matchRoutes(config.route, labels);
  const named = [...new Set(matched.map((route) => route.receiver))];
  const decision: Decision = {
    alert,
    severitySource,
    routes: matched.map((route) => route.name),
    receivers: [],
    skipped: [],
    groups: {},
  };
  for (const route of matched) {
    if (route.group && !(route.receiver in decision.groups)) {
      decision.groups[route.receiver] = { route: route.name, ...route.group };
    }
  }
  if (draft.suppressedBySource) {
    decision.suppressed = draft.suppressedBySource;
    return decision;
  }
  const noDataPolicy = config.defaults.insufficientData;
  if (alert.noData && !noDataPolicy.notify) {
    decision.suppressed =
      'no-data policy: INSUFFICIENT_DATA is not notified (defaults.insufficientData.notify: false)';
    return decision;
  }
  const okAfterNoData = alert.status === 'resolved' && alert.labels.previousState === 'INSUFFICIENT_DATA';
  for (const receiver of named) {
    const paging = isPagingReceiver(config, receiver);
    if (alert.noData && paging) {
      decision.skipped.push({
        receiver,
        reason: 'no-data notices go to chat only and never touch an open incident',
      });
    } else if (okAfterNoData && !paging && !noDataPolicy.notify) {
      decision.skipped.push({
        receiver,
        reason: 'the INSUFFICIENT_DATA state this OK ends was never notified',
      });
    } else {
      decision.receivers.push(receiver);
    }
  }
  return decision;
}
