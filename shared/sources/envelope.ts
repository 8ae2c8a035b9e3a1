import * as z from '../zod';
import { isRecord } from '../json';

/** One unit of work found inside an invocation payload, before any source-specific parsing. */
export type IntakeRecord =
  | {
      kind: 'sns';
      index: number;
      topicArn: string;
      messageId: string;
      timestamp?: string;
      subject?: string | null;
      message: string;
    }
  | { kind: 'eventbridge'; index: number; event: Record<string, unknown> }
  | { kind: 'alarm-action'; index: number; payload: Record<string, unknown> }
  | { kind: 'unrecognized'; index: number; reason: string };

const snsRecordSchema = z.object({
  EventSource: z.optional(z.literal('aws:sns')),
  Sns: z.object({
    MessageId: z.string(),
    TopicArn: z.string(),
    Subject: z.nullish(z.string()),
    Message: z.string(),
    Timestamp: z.optional(z.string()),
  }),
});

/** Unwraps a Lambda payload (SNS batch, EventBridge event or alarm action) into records, in dispatch order. */
export function splitEnvelope(raw: unknown): IntakeRecord[] {
  if (!isRecord(raw)) {
    return [{ kind: 'unrecognized', index: 0, reason: `expected a JSON object, got ${describe(raw)}` }];
  }
  if (Array.isArray(raw.Records)) {
    return raw.Records.map((record, index): IntakeRecord => {
      const parsed = snsRecordSchema.safeParse(record);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return {
          kind: 'unrecognized',
          index,
          reason: `Records[${index}] is not an SNS record (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'})`,
        };
      }
      const sns = parsed.data.Sns;
      return {
        kind: 'sns',
        index,
        topicArn: sns.TopicArn,
        messageId: sns.MessageId,
        timestamp: sns.Timestamp,
        subject: sns.Subject,
        message: sns.Message,
      };
    });
  }
  if (typeof raw['detail-type'] === 'string' && typeof raw.source === 'string' && 'detail' in raw) {
    return [{ kind: 'eventbridge', index: 0, event: raw }];
  }
  if (raw.source === 'aws.cloudwatch' && 'alarmData' in raw) {
    return [{ kind: 'alarm-action', index: 0, payload: raw }];
  }
  return [
    {
      kind: 'unrecognized',
      index: 0,
      reason: `unrecognized event shape (top-level keys: ${Object.keys(raw).slice(0, 8).join(', ') || 'none'})`,
    },
  ];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
