import * as z from '../../zod';
import type { EventBridgeEnvelope } from '../cloudwatch-alarm/schemas';
import type { AlertDraft, NormalizeResult } from '../types';
import { consolePartitionOf } from '../../alert/partition';
import { isoTime, parseLenient, withUnreadable } from '../parse';

/**
 * SSM status-change events (`source: aws.ssm`): the feedback of remediations Klaxon started. A
 * terminal status becomes a `klaxon` alert of kind `remediation-status` naming the execution; the
 * remediation stage maps it back to the alert that caused it (state table: execution → alert,
 * receivers, rule) and reports it to the same receivers. Non-terminal statuses are ignored.
 * Shapes: event-formats.md §6 (Automation: PascalCase detail; Command: kebab-case detail).
 */

/** The detail-types this normalizer serves. */
export const AUTOMATION_STATUS_DETAIL_TYPE = 'EC2 Automation Execution Status-change Notification';
export const COMMAND_STATUS_DETAIL_TYPE = 'EC2 Command Status-change Notification';

/** Automation statuses that end an execution well. */
const AUTOMATION_SUCCESS = new Set(['Success', 'CompletedWithSuccess']);
/** Automation statuses that end an execution badly (event-formats.md §6, plus Exited). */
const AUTOMATION_FAILURE = new Set([
  'Failed',
  'TimedOut',
  'Cancelled',
  'Rejected',
  'CompletedWithFailure',
  'Exited',
]);
const COMMAND_SUCCESS = new Set(['Success']);
const COMMAND_FAILURE = new Set(['Failed', 'TimedOut', 'Cancelled']);

/** The Automation statuses that end an execution (the only ones reported; the rule keeps only these). */
export const AUTOMATION_FINAL_STATUSES: readonly string[] = [...AUTOMATION_SUCCESS, ...AUTOMATION_FAILURE];
/** The Run Command statuses that end a command (the only ones reported; the rule keeps only these). */
export const COMMAND_FINAL_STATUSES: readonly string[] = [...COMMAND_SUCCESS, ...COMMAND_FAILURE];

const automationDetail = z.looseObject({
  ExecutionId: z.string().check(z.minLength(1)),
  Definition: z.string().check(z.minLength(1)),
  Status: z.string().check(z.minLength(1)),
  ExecutedBy: z.optional(z.string()),
  StartTime: z.optional(z.string()),
  EndTime: z.optional(z.string()),
});

const commandDetail = z.looseObject({
  'command-id': z.string().check(z.minLength(1)),
  'document-name': z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  'requested-date-time': z.optional(z.string()),
});

/** The outcome class of a terminal status. */
export type ExecutionResult = 'succeeded' | 'failed';

function statusDraft(
  envelope: EventBridgeEnvelope,
  raw: unknown,
  facts: {
    executionId: string;
    document: string;
    status: string;
    type: 'automation' | 'command';
    result: ExecutionResult;
  },
): AlertDraft {
  const observedAt = isoTime(envelope.time, new Date(0).toISOString());
  const what = facts.type === 'automation' ? 'Automation execution' : 'Run Command';
  return {
    labels: {
      source: 'klaxon',
      account: envelope.account,
      region: envelope.region,
      kind: 'remediation-status',
      executionId: facts.executionId,
      executionType: facts.type,
      document: facts.document,
      executionStatus: facts.status,
      executionResult: facts.result,
    },
    annotations: {
      summary: `${what} ${facts.document} ${facts.executionId}: ${facts.status}`,
    },
    status: 'firing',
    fingerprint: `klaxon:remediation:${facts.executionId}`,
    transitionId: `klaxon:remediation:${facts.executionId}:${facts.status}`,
    startsAt: observedAt,
    observedAt,
    path: 'eventbridge',
    links: [],
    severityHint: {
      word: facts.result === 'succeeded' ? 'info' : 'error',
      from: `SSM status ${facts.status}`,
    },
    partition: consolePartitionOf(envelope.region),
    raw,
  };
}

/** `EC2 Automation Execution Status-change Notification`. */
export function normalizeAutomationStatus(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(automationDetail, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `SSM Automation status: ${parsed.reason}` };
  const { ExecutionId: executionId, Definition: document, Status: status } = parsed.data;
  const result = AUTOMATION_SUCCESS.has(status)
    ? 'succeeded'
    : AUTOMATION_FAILURE.has(status)
      ? 'failed'
      : undefined;
  if (!result) {
    return {
      kind: 'ignored',
      reason: `SSM Automation ${executionId} is ${status}: only final statuses are reported`,
    };
  }
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      [statusDraft(envelope, raw, { executionId, document, status, type: 'automation', result })],
      parsed.unreadable,
    ),
  };
}

/** `EC2 Command Status-change Notification` (the whole command, not one instance's invocation). */
export function normalizeCommandStatus(envelope: EventBridgeEnvelope, raw: unknown): NormalizeResult {
  const parsed = parseLenient(commandDetail, envelope.detail);
  if (!parsed.ok) return { kind: 'invalid', reason: `SSM Command status: ${parsed.reason}` };
  const { 'command-id': executionId, 'document-name': document, status } = parsed.data;
  const result = COMMAND_SUCCESS.has(status)
    ? 'succeeded'
    : COMMAND_FAILURE.has(status)
      ? 'failed'
      : undefined;
  if (!result) {
    return {
      kind: 'ignored',
      reason: `SSM command ${executionId} is ${status}: only final statuses are reported`,
    };
  }
  return {
    kind: 'alerts',
    drafts: withUnreadable(
      [statusDraft(envelope, raw, { executionId, document, status, type: 'command', result })],
      parsed.unreadable,
    ),
  };
}
