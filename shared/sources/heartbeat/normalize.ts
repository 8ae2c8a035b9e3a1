import * as z from '../../zod';
import { parseArn } from '../arn';
import type { IntakeRecord } from '../envelope';
import type { AlertDraft, NormalizeResult } from '../types';

/**
 * The heartbeat (dead man's switch): functions/heartbeat publishes this message to the stack's alarm
 * topic on a schedule; the alarm notifier recognises it here and the pipeline sends it to the
 * heartbeat receiver only (shared/routing/heartbeat.ts). It is Klaxon's own wire format, version 1.
 */

/** The value of the `klaxon` key that marks a heartbeat message. */
export const HEARTBEAT_MARKER = 'heartbeat';

/** The heartbeat message as published to the alarm topic. */
export const heartbeatMessageSchema = z.strictObject({
  klaxon: z.literal(HEARTBEAT_MARKER),
  version: z.literal(1),
  /** The deployment stage (part of the fingerprint: one switch per stage). */
  stage: z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'a stage name')),
  /** Identity of this beat: the scheduled event's id, so a retried invocation is the same beat. */
  beat: z.string().check(z.minLength(1), z.maxLength(128)),
  /** When the heartbeat function published it (ISO 8601, UTC). */
  sentAt: z.iso.datetime({ offset: true }),
  /** The topic it was published to; a copy arriving through another topic is not this beat. */
  topicArn: z.string().check(z.minLength(1)),
});

/** A heartbeat message. */
export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;

/** Builds the message the heartbeat function publishes. */
export function heartbeatMessage(input: {
  stage: string;
  beat: string;
  sentAt: Date;
  topicArn: string;
}): HeartbeatMessage {
  return {
    klaxon: HEARTBEAT_MARKER,
    version: 1,
    stage: input.stage,
    beat: input.beat,
    sentAt: input.sentAt.toISOString(),
    topicArn: input.topicArn,
  };
}

/** True for parsed SNS message JSON that claims to be a heartbeat (then {@link normalizeHeartbeat} decides). */
export function isHeartbeatMessage(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { klaxon?: unknown }).klaxon === HEARTBEAT_MARKER
  );
}

/** True for a draft made by {@link normalizeHeartbeat}. */
export function isHeartbeatDraft(draft: Pick<AlertDraft, 'labels'>): boolean {
  return draft.labels.source === 'klaxon' && draft.labels.kind === 'heartbeat';
}

/** Turns a heartbeat message received on an SNS record into its draft (one per beat). */
export function normalizeHeartbeat(
  message: unknown,
  record: Extract<IntakeRecord, { kind: 'sns' }>,
): NormalizeResult {
  const parsed = heartbeatMessageSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'invalid',
      reason: `heartbeat message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'bad shape'}`,
    };
  }
  const beat = parsed.data;
  if (beat.topicArn !== record.topicArn) {
    return {
      kind: 'ignored',
      reason: `heartbeat published to ${beat.topicArn} arrived through ${record.topicArn}: a beat vouches only for the topic it was published to`,
    };
  }
  const arn = parseArn(record.topicArn);
  if (!arn?.account || !arn.region) {
    return {
      kind: 'invalid',
      reason: `heartbeat arrived through a topic that is not an SNS ARN: ${record.topicArn}`,
    };
  }
  const identity = `klaxon:heartbeat:${arn.account}:${arn.region}:${beat.stage}`;
  const draft: AlertDraft = {
    labels: {
      source: 'klaxon',
      kind: 'heartbeat',
      account: arn.account,
      region: arn.region,
      stage: beat.stage,
    },
    annotations: {
      summary: `Klaxon heartbeat: stage ${beat.stage} in ${arn.account}/${arn.region} is alive`,
      description:
        'A synthetic alert that went through the alarm topic, the alarm notifier and the dispatcher. ' +
        'If these stop arriving, Klaxon is broken.',
    },
    status: 'firing',
    fingerprint: identity,
    transitionId: `${identity}:${beat.beat}`,
    startsAt: beat.sentAt,
    observedAt: record.timestamp ?? beat.sentAt,
    path: 'sns',
    links: [],
    raw: message,
    partition: arn.partition,
  };
  return { kind: 'alerts', drafts: [draft] };
}
