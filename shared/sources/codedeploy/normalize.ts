import { urlComponent } from '../../url';
import * as z from '../../zod';
import { REGION_CODE, consoleHome, consolePartitionOf } from '../../alert/partition';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import { deploymentFailureDraft, informationalDraft, millisOf } from '../informational';
import { isoTime, parseLenient, withUnreadable } from '../parse';
import type { AlertDraft, NormalizeResult } from '../types';

/** The detail-type of a CodeDeploy deployment's state changes (`source: aws.codedeploy`). */
export const CODEDEPLOY_DEPLOYMENT_DETAIL_TYPE = 'CodeDeploy Deployment State-change Notification';

/**
 * `detail` of a `CodeDeploy Deployment State-change Notification` (CodeDeploy user guide,
 * "Monitoring deployments with Amazon EventBridge"; aws-lambda-go `events/codedeploy.go`).
 * `state` is one of START, READY (blue/green: the replacement is ready, traffic not yet
 * rerouted), SUCCESS, FAILURE, STOP.
 */
export const codeDeployDeploymentSchema = z.looseObject({
  instanceGroupId: z.optional(z.string()),
  region: z.optional(z.string().check(z.maxLength(64), z.regex(REGION_CODE, 'a lower-case Region code'))),
  application: z.string().check(z.minLength(1)),
  deploymentGroup: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.regex(/^d-[A-Za-z0-9]+$/, 'a CodeDeploy deployment id (d-…)')),
  state: z.string().check(z.minLength(1)),
});

/** A parsed CodeDeploy deployment state change. */
export type CodeDeployDeployment = z.infer<typeof codeDeployDeploymentSchema>;

/** States that end a deployment: they resolve its alert. Every other state is "in progress". */
export const CODEDEPLOY_FINAL_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'STOP']);

const STATE_WORDS: Readonly<Record<string, string>> = {
  START: 'started',
  READY: 'ready (waiting for traffic to be rerouted)',
  SUCCESS: 'succeeded',
  FAILURE: 'FAILED',
  STOP: 'stopped',
};

/**
 * Turns one CodeDeploy deployment state change into an informational alert of kind `deployment`:
 * firing while in progress, resolved on SUCCESS, FAILURE or STOP. A FAILURE also raises a point
 * event (`outcome: failed`, see deploymentFailureDraft), `info` unless a severity rule says otherwise. The `service` label is the
 * CodeDeploy application name, so routes and silences written for a service also catch its deploys.
 */
export function codeDeployDraft(
  detail: CodeDeployDeployment,
  envelope: EventBridgeEnvelope,
  raw: unknown,
): AlertDraft {
  const region = detail.region ?? envelope.region;
  const account = envelope.account;
  const home = consoleHome(region);
  const status = CODEDEPLOY_FINAL_STATES.has(detail.state) ? 'resolved' : 'firing';
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  const fingerprint = `codedeploy:${account}:${region}:deployment/${detail.deploymentId}`;
  const consoleUrl =
    home && `${home}/codesuite/codedeploy/deployments/${urlComponent(detail.deploymentId)}?region=${region}`;
  const word = STATE_WORDS[detail.state] ?? detail.state;
  return informationalDraft({
    source: 'codedeploy',
    kind: 'deployment',
    account,
    region,
    labels: {
      service: detail.application,
      application: detail.application,
      deploymentGroup: detail.deploymentGroup,
      deploymentId: detail.deploymentId,
      deploymentState: detail.state,
    },
    annotations: {
      summary: `CodeDeploy deployment ${detail.deploymentId} of ${detail.application}/${detail.deploymentGroup} ${word} (${account}/${region})`,
      consoleUrl,
    },
    status,
    fingerprint,
    transitionId: `${fingerprint}|${detail.state}|${millisOf(observedAt)}`,
    startsAt: observedAt,
    observedAt,
    path: 'eventbridge',
    links: consoleUrl ? [{ text: 'CodeDeploy deployment', url: consoleUrl }] : [],
    partition: consolePartitionOf(region),
    raw,
  });
}

/** Normalizes a `CodeDeploy Deployment State-change Notification`. */
export function normalizeCodeDeploy(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(codeDeployDeploymentSchema, envelope.detail);
  if (!parsed.ok) {
    return { kind: 'invalid', reason: `CodeDeploy deployment state change: ${parsed.reason}` };
  }
  const draft = codeDeployDraft(parsed.data, envelope, raw);
  // A failure also raises its own alert: the resolve closes "in progress", the failure can page.
  const drafts = parsed.data.state === 'FAILURE' ? [draft, deploymentFailureDraft(draft)] : [draft];
  return { kind: 'alerts', drafts: withUnreadable(drafts, parsed.unreadable) };
}
