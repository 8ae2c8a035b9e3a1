import { urlComponent } from '../../url';
import * as z from '../../zod';
import { consoleHome, consolePartitionOf } from '../../alert/partition';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import { clip, firstLine, informationalDraft } from '../informational';
import { isoTime, parseLenient, withUnreadable } from '../parse';
import type { NormalizeResult } from '../types';

/** The scaling activities Klaxon reports, by detail-type (`source: aws.autoscaling`). */
export const AUTOSCALING_ACTIVITY_DETAIL_TYPES: Readonly<
  Record<string, { activity: 'launch' | 'terminate'; outcome: 'successful' | 'unsuccessful' }>
> = {
  'EC2 Instance Launch Successful': { activity: 'launch', outcome: 'successful' },
  'EC2 Instance Launch Unsuccessful': { activity: 'launch', outcome: 'unsuccessful' },
  'EC2 Instance Terminate Successful': { activity: 'terminate', outcome: 'successful' },
  'EC2 Instance Terminate Unsuccessful': { activity: 'terminate', outcome: 'unsuccessful' },
};

/**
 * Lifecycle hooks put an instance in a wait state for the hook's own handler; the outcome follows
 * as one of the activity events above, so these are ignored (with a reason) rather than reported twice.
 */
export const AUTOSCALING_LIFECYCLE_DETAIL_TYPES = [
  'EC2 Instance-launch Lifecycle Action',
  'EC2 Instance-terminate Lifecycle Action',
] as const;

/**
 * `detail` of an Auto Scaling activity event (EC2 Auto Scaling user guide, "Amazon EC2 Auto
 * Scaling event reference"). `EC2InstanceId` may be empty when a launch failed.
 */
export const autoScalingActivitySchema = z.looseObject({
  StatusCode: z.optional(z.string()),
  Description: z.optional(z.string()),
  AutoScalingGroupName: z.string().check(z.minLength(1)),
  ActivityId: z.string().check(z.minLength(1)),
  Details: z.optional(z.record(z.string(), z.unknown())),
  RequestId: z.optional(z.string()),
  StatusMessage: z.optional(z.string()),
  StartTime: z.optional(z.string()),
  EndTime: z.optional(z.string()),
  EC2InstanceId: z.optional(z.string()),
  Cause: z.optional(z.string()),
  Origin: z.optional(z.string()),
  Destination: z.optional(z.string()),
});

/**
 * Turns one Auto Scaling launch or termination into an informational alert of kind `scaling`. A
 * scaling activity is a point event: always firing, never resolved, one fingerprint per activity.
 */
export function normalizeAutoScaling(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const which = AUTOSCALING_ACTIVITY_DETAIL_TYPES[envelope['detail-type']];
  if (!which) {
    return {
      kind: 'ignored',
      reason: `Auto Scaling ${envelope['detail-type']}: a lifecycle hook waiting for its handler; the launch or termination result follows as its own event`,
    };
  }
  const parsed = parseLenient(autoScalingActivitySchema, envelope.detail);
  if (!parsed.ok) {
    return { kind: 'invalid', reason: `Auto Scaling ${which.activity} event: ${parsed.reason}` };
  }
  const detail = parsed.data;
  const { account, region } = envelope;
  const home = consoleHome(region);
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  const group = detail.AutoScalingGroupName;
  const instance = detail.EC2InstanceId?.trim() || undefined;
  const zone = detail.Details?.['Availability Zone'];
  const fingerprint = `autoscaling:${account}:${region}:activity/${detail.ActivityId}`;
  const consoleUrl =
    home &&
    `${home}/ec2/home?region=${region}#AutoScalingGroupDetails:id=${urlComponent(group)};view=activity`;
  const failed = which.outcome === 'unsuccessful';
  const what =
    (failed ? detail.StatusMessage : undefined) ||
    detail.Description ||
    `${which.activity === 'launch' ? 'Launching' : 'Terminating'} ${instance ?? 'an instance'}`;
  const head = `Auto Scaling ${which.activity} ${failed ? 'UNSUCCESSFUL' : 'successful'} in ${group}`;
  const description = [
    detail.Cause ? `Cause: ${clip(detail.Cause, 1000)}` : undefined,
    detail.StatusMessage ? `Status: ${clip(detail.StatusMessage, 900)}` : undefined,
  ]
    .filter((line): line is string => line !== undefined)
    .join('\n');
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      [
        informationalDraft({
          source: 'autoscaling',
          kind: 'scaling',
          account,
          region,
          labels: {
            autoScalingGroup: group,
            InstanceId: instance,
            activity: which.activity,
            outcome: which.outcome,
            availabilityZone: typeof zone === 'string' ? zone : undefined,
          },
          annotations: {
            summary: `${head}: ${firstLine(what, 200)} (${account}/${region})`,
            description: description || undefined,
            consoleUrl,
          },
          status: 'firing',
          pointEvent: true,
          fingerprint,
          transitionId: `${fingerprint}|${which.activity}-${which.outcome}`,
          startsAt: isoTime(detail.StartTime, observedAt),
          observedAt,
          path: 'eventbridge',
          links: consoleUrl ? [{ text: 'Auto Scaling group activity', url: consoleUrl }] : [],
          partition: consolePartitionOf(region),
          raw,
        }),
      ],
      parsed.unreadable,
    ),
  };
}
