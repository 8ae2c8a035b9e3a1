import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DeliveryJob } from './jobs';

/** Where deliveries go when they cannot finish now: the durable retry queue and the dead-letter queue. */
export interface DeliveryQueue {
  /** Schedules a job after `delaySeconds` (0–900). */
  retry(job: DeliveryJob, delaySeconds: number): Promise<void>;
  /** Parks a job given up on, for inspection and `klaxon redrive`. */
  deadLetter(job: DeliveryJob, reason: string): Promise<void>;
}

/** The SQS-backed queues (URLs from the stack: KLAXON_RETRY_QUEUE_URL, KLAXON_DEAD_LETTER_QUEUE_URL). */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly retryQueueUrl: string,
    private readonly deadLetterQueueUrl: string,
  ) {}

  async retry(job: DeliveryJob, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.retryQueueUrl,
        MessageBody: JSON.stringify(job),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      }),
    );
  }

  async deadLetter(job: DeliveryJob, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: JSON.stringify(job),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
      }),
    );
  }
}
