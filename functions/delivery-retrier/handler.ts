import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { DeliveryIncompleteError, type Dispatcher } from '../../shared/delivery/dispatcher';
import { parseDeliveryJob } from '../../shared/delivery/jobs';
import type { PipelineObserver } from '../../shared/observability/observer';
import { createPowertools } from '../../shared/observability/powertools';
import { deployedPipeline, InvocationClock } from '../../shared/runtime';

const powertools = createPowertools('klaxon-delivery-retrier');
const invocation = new InvocationClock();

/** Default invocation time when no Lambda context is given (tests). */
const DEFAULT_REMAINING_MS = 60_000;

/** Builds the retry worker around dependencies created once (tests inject their own). */
export function createDeliveryRetrier(
  build: (clock: InvocationClock) => { dispatcher: Dispatcher; observer: PipelineObserver },
) {
  let deps: { dispatcher: Dispatcher; observer: PipelineObserver } | undefined;
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) powertools.logger.addContext(context);
    invocation.start(context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    deps ??= build(invocation);
    const { dispatcher, observer } = deps;
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
  };
}

/** The Lambda entry point of the retry queue (and of storm-group flushes). */
export const handler = createDeliveryRetrier((clock) =>
  deployedPipeline(klaxonYml, process.env, powertools, clock),
);
