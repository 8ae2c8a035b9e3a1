import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import * as z from '../../shared/zod';
import klaxonYml from '../../klaxon.yml';
import {
  deployedSlackInteractivity,
  type SlackInteractivityDeps,
} from '../../shared/deployed/slack-interactivity';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';
import { handleClick, receiveInteraction, type SlackClick } from '../../shared/receivers/slack/interactivity';

/**
 * Slack's interactivity endpoint (a Lambda function URL) and its worker (an SQS queue). The URL
 * verifies the request, refuses replays, queues the clicks and answers at once, well within Slack's
 * 3 seconds; the queue runs each click (PagerDuty, silences, remediation, the message edit) with
 * SQS's retries and dead-letter queue behind it.
 */

const powertools = createPowertools('klaxon-slack-interactivity');

const clickSchema = z.strictObject({
  receiver: z.string().check(z.maxLength(200)),
  key: z.string().check(z.maxLength(300)),
  actionId: z.string().check(z.maxLength(255)),
  user: z.strictObject({ id: z.string().check(z.maxLength(40)), name: z.string().check(z.maxLength(200)) }),
  channel: z.string().check(z.maxLength(40)),
  ts: z.string().check(z.maxLength(40)),
});

type Event = APIGatewayProxyEventV2 | SQSEvent;
type Answer = APIGatewayProxyStructuredResultV2 | SQSBatchResponse;

function isQueueEvent(event: Event): event is SQSEvent {
  return Array.isArray((event as SQSEvent).Records);
}

async function runClicks(event: SQSEvent, deps: SlackInteractivityDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const click: SlackClick = clickSchema.parse(JSON.parse(record.body));
      const outcome = await handleClick(click, deps.worker);
      powertools.logger.info('slack click', { action: click.actionId, user: click.user.id, outcome });
    } catch (error) {
      powertools.logger.error('slack click failed', {
        messageId: record.messageId,
        error: (error as Error).message.slice(0, 500),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

async function answer(event: APIGatewayProxyEventV2, deps: SlackInteractivityDeps) {
  if (event.requestContext?.http?.method !== 'POST') return { statusCode: 405, body: '' };
  const rawBody = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const result = await receiveInteraction({ headers: event.headers ?? {}, rawBody }, deps.intake);
  if (result.status !== 200)
    powertools.logger.warn('slack request refused', { status: result.status, why: result.body });
  return { statusCode: result.status, headers: { 'content-type': 'text/plain' }, body: result.body };
}

/** Builds the function around dependencies created once (tests inject their own). */
export function createSlackInteractivityHandler(
  build: () => SlackInteractivityDeps,
): (event: Event, context?: Context) => Promise<Answer> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 10_000,
    build,
    run: (event: Event, deps: SlackInteractivityDeps): Promise<Answer> =>
      isQueueEvent(event) ? runClicks(event, deps) : answer(event, deps),
  });
}

/** The Lambda entry point: Slack's requests (function URL) and the queued clicks (SQS). */
export const handler = createSlackInteractivityHandler(() =>
  deployedSlackInteractivity(klaxonYml, process.env, powertools),
);
