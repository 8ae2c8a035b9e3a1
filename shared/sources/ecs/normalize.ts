import { urlComponent } from '../../url';
import * as z from '../../zod';
import { consoleHome } from '../../alert/partition';
import { parseArn } from '../arn';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import { clip, deploymentFailureDraft, informationalDraft, millisOf } from '../informational';
import { isoTime, parseLenient, withUnreadable } from '../parse';
import type { AlertDraft, NormalizeResult } from '../types';

/** The detail-type of ECS service deployment events (`source: aws.ecs`). */
export const ECS_DEPLOYMENT_DETAIL_TYPE = 'ECS Deployment State Change';

/**
 * `detail` of an `ECS Deployment State Change` (Amazon ECS developer guide, "service deployment
 * state change events"). `resources[0]` of the envelope is the service ARN.
 */
export const ecsDeploymentSchema = z.looseObject({
  eventType: z.optional(z.string()),
  eventName: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.minLength(1)),
  updatedAt: z.optional(z.string()),
  reason: z.optional(z.string()),
  clusterArn: z.optional(z.string()),
});

/** A parsed ECS deployment state change. */
export type EcsDeployment = z.infer<typeof ecsDeploymentSchema>;

/** The deployment events and the status each gives the deployment's alert. */
export const ECS_DEPLOYMENT_STATUS: Readonly<Record<string, 'firing' | 'resolved'>> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: 'firing',
  SERVICE_DEPLOYMENT_COMPLETED: 'resolved',
  SERVICE_DEPLOYMENT_FAILED: 'resolved',
};

const WORDS: Readonly<Record<string, string>> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: 'in progress',
  SERVICE_DEPLOYMENT_COMPLETED: 'completed',
  SERVICE_DEPLOYMENT_FAILED: 'FAILED',
};

/**
 * Cluster and service names of an ECS service ARN: `…:service/<cluster>/<service>`; the old format
 * `…:service/<service>` has no cluster (it then comes from `detail.clusterArn`, if present).
 */
export function ecsServiceOf(
  arn: string | undefined,
  clusterArn?: string,
):
  | { cluster?: string; service: string; region: string; account: string; partition: AlertDraft['partition'] }
  | undefined {
  const parsed = arn ? parseArn(arn) : undefined;
  if (!parsed || parsed.service !== 'ecs' || !parsed.region || !parsed.account) return undefined;
  const parts = parsed.resource.split('/');
  if (parts[0] !== 'service') return undefined;
  const fromClusterArn = clusterArn?.split(':cluster/')[1];
  const [cluster, service] = parts.length === 3 ? [parts[1], parts[2]] : [fromClusterArn, parts[1]];
  if (!service) return undefined;
  return {
    ...(cluster ? { cluster } : {}),
    service,
    region: parsed.region,
    account: parsed.account,
    partition: parsed.partition,
  };
}

/**
 * Turns one ECS service deployment event into an informational alert of kind `deployment`: firing
 * while in progress, resolved when completed or failed. A failure also raises a point event
 * (`outcome: failed`, see deploymentFailureDraft), `info` unless a severity rule says otherwise.
 */
export function normalizeEcsDeployment(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(ecsDeploymentSchema, envelope.detail);
  if (!parsed.ok) {
    return { kind: 'invalid', reason: `ECS deployment state change: ${parsed.reason}` };
  }
  const detail = parsed.data;
  const owner = ecsServiceOf(envelope.resources[0], detail.clusterArn);
  if (!owner) {
    return {
      kind: 'invalid',
      reason: `ECS deployment state change: resources.0: expected an ECS service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<service>), got ${JSON.stringify(envelope.resources[0] ?? null)}`,
    };
  }
  const status = ECS_DEPLOYMENT_STATUS[detail.eventName];
  if (!status) {
    return {
      kind: 'ignored',
      reason: `ECS deployment event ${detail.eventName} of ${owner.service}: not a deployment state Klaxon follows`,
    };
  }
  const { region, account, partition, service, cluster } = owner;
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  const updatedAt = isoTime(detail.updatedAt, observedAt);
  const fingerprint = `${envelope.resources[0]}|${detail.deploymentId}`;
  const home = consoleHome(region);
  const consoleUrl =
    home &&
    (cluster
      ? `${home}/ecs/v2/clusters/${urlComponent(cluster)}/services/${urlComponent(service)}/deployments?region=${region}`
      : `${home}/ecs/v2/clusters?region=${region}`);
  const where = cluster ? `${cluster}/${service}` : service;
  // The reason of a failure says why (circuit breaker, alarms); the others only repeat the event name.
  const reason =
    detail.reason && detail.eventName === 'SERVICE_DEPLOYMENT_FAILED' ? `: ${clip(detail.reason, 300)}` : '';
  const draft = informationalDraft({
    source: 'ecs',
    kind: 'deployment',
    account,
    region,
    labels: {
      service,
      cluster,
      deploymentId: detail.deploymentId,
      deploymentState: detail.eventName,
    },
    annotations: {
      summary: `ECS deployment ${detail.deploymentId} of ${where} ${WORDS[detail.eventName] ?? detail.eventName} (${account}/${region})${reason}`,
      reason: detail.reason ? clip(detail.reason, 1000) : undefined,
      consoleUrl,
    },
    status,
    fingerprint,
    transitionId: `${fingerprint}|${detail.eventName}|${millisOf(updatedAt)}`,
    startsAt: updatedAt,
    observedAt,
    path: 'eventbridge',
    links: consoleUrl ? [{ text: 'ECS service deployments', url: consoleUrl }] : [],
    partition,
    raw,
  });
  // A failure also raises its own alert: the resolve closes "in progress", the failure can page.
  const failed = detail.eventName === 'SERVICE_DEPLOYMENT_FAILED';
  const drafts = failed ? [draft, deploymentFailureDraft(draft)] : [draft];
  return { kind: 'alerts', drafts: withUnreadable(drafts, parsed.unreadable) };
}
