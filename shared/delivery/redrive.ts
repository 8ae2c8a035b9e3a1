import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { parseDeliveryJob } from './jobs';

/** What a redrive did. */
export interface RedriveReport {
  moved: number;
  unreadable: number;
  /** One line per message: receiver, alert summary and why it was dead-lettered. */
  lines: string[];
}

/**
 * Moves dead-lettered deliveries back to the retry queue with a fresh retry schedule. Messages
 * that are not delivery jobs stay where they are. With `dryRun`, only lists them. Whatever is
 * listed but not moved is made visible again at the end, so a redrive right after a dry run (or
 * the next one) sees every message.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  retryQueueUrl: string,
  options: { dryRun: boolean; max: number },
): Promise<RedriveReport> {
  const report: RedriveReport = { moved: 0, unreadable: 0, lines: [] };
  const seen = new Set<string>();
  const held: string[] = [];
  try {
    await receiveAll();
  } finally {
    await release(sqs, deadLetterQueueUrl, held);
  }
  return report;

  async function receiveAll(): Promise<void> {
    while (report.moved + report.unreadable < options.max) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = (received.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (messages.length === 0) break;
      for (const message of messages) {
        seen.add(message.MessageId ?? '');
        const reason = message.MessageAttributes?.reason?.StringValue ?? 'unknown reason';
        let job: ReturnType<typeof parseDeliveryJob>;
        try {
          job = parseDeliveryJob(message.Body ?? '');
        } catch (error) {
          if (message.ReceiptHandle) held.push(message.ReceiptHandle);
          report.unreadable += 1;
          report.lines.push(`skipped ${message.MessageId}: not a delivery job (${(error as Error).name})`);
          continue;
        }
        const what =
          job.kind === 'deliver'
            ? (job.alerts[0]?.annotations.summary ?? job.key)
            : job.kind === 'flush-group'
              ? job.groupKey
              : job.kind === 'noise'
                ? `noise ${job.action} ${job.key}`
                : job.kind === 'update-group'
                  ? `group message update ${job.ref}`
                  : `remediation check ${job.token}`;
        report.lines.push(`${options.dryRun ? 'would move' : 'moved'} ${job.receiver}: ${what} (${reason})`);
        report.moved += 1;
        if (options.dryRun) {
          if (message.ReceiptHandle) held.push(message.ReceiptHandle);
          continue;
        }
        const fresh =
          job.kind === 'deliver'
            ? { ...job, attempt: 0, redrive: (job.redrive ?? 0) + 1 }
            : job.kind === 'update-group'
              ? { ...job, attempt: 0 }
              : job;
        await sqs.send(
          new SendMessageCommand({ QueueUrl: retryQueueUrl, MessageBody: JSON.stringify(fresh) }),
        );
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }
}

/** Makes received messages visible again at once (10 per call, as SQS allows). */
async function release(sqs: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<void> {
  for (let start = 0; start < receiptHandles.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: receiptHandles.slice(start, start + 10).map((handle, index) => ({
          Id: String(start + index),
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
