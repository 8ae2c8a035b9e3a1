/**
 * A storm posted as one Slack app message, then edited as its members resolve: the dispatcher and
 * the Slack app receiver on the DynamoDB state table and the SQS queues (moto), against the loopback
 * Slack Web API.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { Dispatcher } from '../../shared/delivery/dispatcher';
import { type DeliveryJob, parseDeliveryJob } from '../../shared/delivery/jobs';
import { SqsDeliveryQueue } from '../../shared/delivery/queue';
import { silentObserver } from '../../shared/observability/observer';
import { createReceivers } from '../../shared/receivers/factory';
import { postJson } from '../../shared/receivers/http';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createDeliveryQueues, createStateTable } from '../support/aws-resources';
import { manualClock, testAlert } from '../support/delivery-fakes';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { type MotoServer, startMoto } from '../support/moto';

const TOKEN = 'xoxb-test-token';
const group = { alerts: { route: 'storm', by: ['region'], windowSeconds: 10 } };

let moto: MotoServer;
let slack: FakeSlackApi;
let restoreEnv: () => void;
let run = 0;
let queues: { retryUrl: string; deadUrl: string };
let table: string;

beforeAll(async () => {
  moto = await startMoto();
  slack = await startFakeSlackApi({ token: TOKEN });
  restoreEnv = useMotoEnv(moto.endpoint);
}, 60_000);

afterAll(async () => {
  restoreEnv();
  await Promise.all([moto.stop(), slack.close()]);
});

beforeEach(async () => {
  run += 1;
  table = `grp-state-${run}`;
  await createStateTable(table);
  queues = await createDeliveryQueues(`grp-${run}`);
});

function setup() {
  const config = loadConfig(`
delivery:
  retrySchedule: [0]
receivers:
  alerts: { type: slack, botToken: { env: SLACK_BOT }, channel: C0ALERTS, apiUrl: "${slack.url}", timeoutMs: 2000 }
route: { receiver: alerts }
`);
  const clock = manualClock();
  const store = new DynamoStateStore(new DynamoDBClient({}), table);
  const receivers = createReceivers(config.receivers, {
    secrets: new LocalSecretResolver({ SLACK_BOT: TOKEN }),
    post: postJson,
    clock,
    retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 500 },
    consoleSink: () => {},
    store,
  });
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    queue: new SqsDeliveryQueue(new SQSClient({}), queues.retryUrl, queues.deadUrl),
    clock,
    observer: silentObserver,
    remainingMs: () => 25_000,
    leaseMs: 45_000,
  });
  return { dispatcher, clock };
}

/** Takes the jobs waiting on a queue (after their SQS delays), up to `count`. */
async function take(url: string, count: number): Promise<Array<{ job: DeliveryJob; reason?: string }>> {
  const sqs = new SQSClient({});
  const jobs: Array<{ job: DeliveryJob; reason?: string }> = [];
  const until = Date.now() + 20_000;
  while (jobs.length < count && Date.now() < until) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of got.Messages ?? []) {
      jobs.push({
        job: parseDeliveryJob(message.Body ?? ''),
        reason: message.MessageAttributes?.reason?.StringValue,
      });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return jobs;
}

function resolved(n: number) {
  const alert = testAlert(n, { status: 'resolved' });
  return { ...alert, transitionId: `${alert.fingerprint}|OK|${2_000 + n}` };
}

function heading(blocks: unknown[] | undefined): string {
  return JSON.stringify(blocks?.[0] ?? '');
}

describe('a Slack app group message as its members resolve', () => {
  it('goes from "12 alerts firing" to "9 firing, 3 resolved" by editing the same message', async () => {
    const { dispatcher } = setup();
    const before = slack.messages('C0ALERTS').length;
    for (let n = 1; n <= 12; n++) await dispatcher.dispatch(testAlert(300 + n), ['alerts'], group);
    const [flush] = await take(queues.retryUrl, 1);
    expect(flush?.job.kind).toBe('flush-group');
    await dispatcher.runJob(flush!.job);
    const posted = slack.messages('C0ALERTS').slice(before);
    expect(posted).toHaveLength(1);
    const message = posted[0]!;
    expect(heading(message.blocks)).toContain('12 alerts firing');

    for (const n of [302, 305, 307]) {
      const [result] = await dispatcher.dispatch(resolved(n), ['alerts']);
      expect(result?.outcome).toBe('delivered');
    }
    expect(slack.messages('C0ALERTS').slice(before)).toHaveLength(1);
    const updates = await take(queues.retryUrl, 2);
    // Three resolves about a second apart (the channel's pace): fewer edits than resolves.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThan(3);
    for (const { job } of updates) {
      expect(job).toMatchObject({ kind: 'update-group', receiver: 'alerts', ref: message.ts });
      await dispatcher.runJob(job);
    }
    expect(message.updates).toHaveLength(updates.length);
    expect(heading(message.blocks)).toContain('9 firing, 3 resolved');
    expect(JSON.stringify(message.blocks)).toContain(':white_check_mark: resolved *warning* alarm-305');
  }, 60_000);

  it('dead-letters an edit Slack keeps failing, after the retry schedule', async () => {
    const { dispatcher } = setup();
    for (let n = 1; n <= 3; n++) await dispatcher.dispatch(testAlert(400 + n), ['alerts'], group);
    const [flush] = await take(queues.retryUrl, 1);
    await dispatcher.runJob(flush!.job);
    await dispatcher.dispatch(resolved(401), ['alerts']);
    const [update] = await take(queues.retryUrl, 1);
    slack.script([{ status: 503 }]);
    expect((await dispatcher.runJob(update!.job))?.outcome).toBe('queued');
    const [again] = await take(queues.retryUrl, 1);
    expect(again?.job).toMatchObject({ kind: 'update-group', attempt: 1 });
    slack.script([{ status: 503 }]);
    expect((await dispatcher.runJob(again!.job))?.outcome).toBe('failed');
    const [dead] = await take(queues.deadUrl, 1);
    expect(dead?.job).toMatchObject({ kind: 'update-group', attempt: 1 });
    expect(dead?.reason).toContain('503');
    expect(dead?.reason).not.toContain(TOKEN);
  }, 60_000);
});
