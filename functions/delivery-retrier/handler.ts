import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { DeliveryIncompleteError } from '../../shared/delivery/dispatcher';
import { parseDeliveryJob } from '../../shared/delivery/jobs';
import { deployedRetrier, type RetrierDeps } from '../../shared/deployed/retrier';
import type { InvocationClock } from '../../shared/lambda/invocation-clock';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';

const powertools = createPowertools('klaxon-delivery-retrier');

/** Runs each queued job of one SQS batch and reports the ones to give back to the queue. */
async function runJobs(event: SQSEvent, { dispatcher, observer }: RetrierDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const job = parseDeliveryJob(record.body);
      await observer.span(`job ${job.kind}`, () => dispatcher.runJob(job), { receiver: job.receiver });
    } catch (error) {
      // Unparsable jobs and deliveries that could not be handed on are returned to SQS; its redrive
      // policy moves a message that keeps failing to the dead-letter queue, so nothing is lost.
      const incomplete = error instanceof DeliveryIncompleteError;
      observer.note(
        'error',
        incomplete ? 'queued delivery could not be handed on' : 'queued delivery is unreadable',
        {
          messageId: record.messageId,
          error: (error as Error).message.slice(0, 500),
        },
      );
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  observer.flush();
  return { batchItemFailures: failures };
}

/** Builds the retry worker around dependencies created once (tests inject their own). */
export function createDeliveryRetrier(
  build: (clock: InvocationClock) => RetrierDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 60_000,
    build,
    run: runJobs,
  });
}

/** The Lambda entry point of the retry queue (and of storm-group flushes). */
export const handler = createDeliveryRetrier((clock) =>
  deployedRetrier(klaxonYml, process.env, powertools, clock),
);
