import { isRecord } from '../../json';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import { consolePartitionOfArn } from '../../alert/partition';
import { firstLine, informationalDraft } from '../informational';
import { isoTime, parseLenient, withUnreadable } from '../parse';
import type { AlertDraft, NormalizeResult } from '../types';
import { type CostAnomaly, costAnomalyDetailSchema, costAnomalySnsSchema } from './schema';

/**
 * AWS Cost Anomaly Detection: an anomaly becomes an informational alert of kind `cost-anomaly`.
 * It arrives two ways with one identity: the SNS message of an IMMEDIATE ("individual alerts")
 * subscription, and the `Anomaly Detected` EventBridge event. The fingerprint is the monitor ARN
 * and the anomaly id; the transition changes when the anomaly's end date or total impact does
 * (Cost Anomaly Detection re-alerts as an anomaly grows).
 */

/**
 * Recognises a Cost Anomaly Detection SNS message by its documented shape: a JSON object with a
 * string `anomalyId` and `monitorArn`, an `impact` object, and no `detail-type` (that would be an
 * EventBridge event routed through SNS) or `AlarmName` (a CloudWatch alarm).
 */
export function isCostAnomalyMessage(message: unknown): message is Record<string, unknown> {
  return (
    isRecord(message) &&
    typeof message.anomalyId === 'string' &&
    typeof message.monitorArn === 'string' &&
    isRecord(message.impact) &&
    !('detail-type' in message) &&
    !('AlarmName' in message)
  );
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** A dollar amount as people read it (`$1,001.00`). */
export function formatUsd(amount: number): string {
  return usd.format(amount);
}

/** The root cause with the largest contribution (the first when none says). */
function topRootCause(anomaly: CostAnomaly): CostAnomaly['rootCauses'][number] | undefined {
  return [...anomaly.rootCauses].sort(
    (a, b) => (b.impact?.contribution ?? -Infinity) - (a.impact?.contribution ?? -Infinity),
  )[0];
}

function impactText(impact: CostAnomaly['impact']): string {
  const parts = [`${formatUsd(impact.totalImpact)} above expected`];
  if (impact.totalActualSpend !== undefined && impact.totalExpectedSpend !== undefined) {
    parts.push(
      `(${formatUsd(impact.totalActualSpend)} spent, ${formatUsd(impact.totalExpectedSpend)} expected${
        impact.totalImpactPercentage === undefined ? '' : `, +${impact.totalImpactPercentage}%`
      })`,
    );
  }
  return parts.join(' ');
}

function rootCauseLine(cause: CostAnomaly['rootCauses'][number]): string {
  const where = [
    cause.service,
    cause.usageType,
    cause.region,
    cause.linkedAccount
      ? `account ${cause.linkedAccount}${cause.linkedAccountName ? ` (${cause.linkedAccountName})` : ''}`
      : undefined,
  ].filter((part): part is string => Boolean(part));
  const contribution =
    cause.impact?.contribution === undefined ? '' : `: ${formatUsd(cause.impact.contribution)}`;
  return `${where.join(', ') || 'unknown'}${contribution}`;
}

/** Builds the draft of one anomaly (either path). */
export function costAnomalyDraft(
  anomaly: CostAnomaly,
  delivery: { path: AlertDraft['path']; observedAt: string; topicArn?: string },
  raw: unknown,
): AlertDraft {
  const partition = consolePartitionOfArn(anomaly.monitorArn);
  const monitor = anomaly.monitorArn.split('/').pop() ?? anomaly.monitorArn;
  const cause = topRootCause(anomaly);
  const service = cause?.service ?? anomaly.dimensionValue;
  const fingerprint = `${anomaly.monitorArn}/anomaly/${anomaly.anomalyId}`;
  const since = anomaly.anomalyStartDate ? ` since ${anomaly.anomalyStartDate.slice(0, 10)}` : '';
  const impact = impactText(anomaly.impact);
  const link = anomaly.anomalyDetailsLink;
  const causes = anomaly.rootCauses.slice(0, 5).map(rootCauseLine);
  const draft = informationalDraft({
    source: 'cost-anomaly',
    kind: 'cost-anomaly',
    account: anomaly.accountId,
    // Cost Anomaly Detection is global: monitors have no Region (the root cause may name one).
    region: 'global',
    labels: { monitor, service, anomalyId: anomaly.anomalyId },
    annotations: {
      summary: firstLine(
        `Cost anomaly${service ? ` in ${service}` : ''}: ${formatUsd(anomaly.impact.totalImpact)} above expected${since} (monitor ${anomaly.monitorName ?? monitor}, account ${anomaly.accountId})`,
        300,
      ),
      description: causes.length > 0 ? `Root causes:\n${causes.join('\n')}` : undefined,
      impact,
      impactUsd: anomaly.impact.totalImpact.toFixed(2),
      monitorName: anomaly.monitorName,
      rootCauseRegion: cause?.region,
      consoleUrl: link,
    },
    status: 'firing',
    pointEvent: true,
    fingerprint,
    transitionId: `${fingerprint}|${anomaly.anomalyEndDate ?? anomaly.anomalyStartDate ?? ''}|${anomaly.impact.totalImpact}`,
    startsAt: isoTime(anomaly.anomalyStartDate, delivery.observedAt),
    observedAt: delivery.observedAt,
    path: delivery.path,
    links: link ? [{ text: 'Cost Anomaly Detection: anomaly details', url: link }] : [],
    partition,
    raw,
  });
  return delivery.topicArn ? { ...draft, topicArn: delivery.topicArn } : draft;
}

/** Normalizes the SNS message of a Cost Anomaly Detection subscription (see `isCostAnomalyMessage`). */
export function normalizeCostAnomalySns(
  message: unknown,
  delivery: { topicArn: string; timestamp?: string },
): NormalizeResult {
  const parsed = parseLenient(costAnomalySnsSchema, message);
  if (!parsed.ok) {
    return { kind: 'invalid', reason: `Cost Anomaly Detection SNS message: ${parsed.reason}` };
  }
  const { dimensionalValue, ...rest } = parsed.data;
  const observedAt = isoTime(delivery.timestamp, isoTime(rest.anomalyEndDate, new Date(0).toISOString()));
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      [
        costAnomalyDraft(
          { ...rest, dimensionValue: dimensionalValue },
          { path: 'sns', observedAt, topicArn: delivery.topicArn },
          message,
        ),
      ],
      parsed.unreadable,
    ),
  };
}

/** Normalizes an `Anomaly Detected` EventBridge event (`source: aws.ce`). */
export function normalizeCostAnomalyEvent(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(costAnomalyDetailSchema, envelope.detail);
  if (!parsed.ok) {
    return { kind: 'invalid', reason: `Cost Anomaly Detection event: ${parsed.reason}` };
  }
  const detail = parsed.data;
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      [
        costAnomalyDraft(
          { ...detail, accountId: detail.accountId ?? envelope.account },
          { path: 'eventbridge', observedAt },
          raw,
        ),
      ],
      parsed.unreadable,
    ),
  };
}
