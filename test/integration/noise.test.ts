import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { loadConfig } from '../../shared/config/yaml';
import { Dispatcher } from '../../shared/delivery/dispatcher';
import { parseDeliveryJob } from '../../shared/delivery/jobs';
import { SqsDeliveryQueue } from '../../shared/delivery/queue';
import { NoiseEngine } from '../../shared/noise/engine';
import { silentObserver } from '../../shared/observability/observer';
import { processEvent } from '../../shared/pipeline';
import type { Receiver } from '../../shared/receivers/types';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createDeliveryQueues, createStateTable } from '../support/aws-resources';
import { ScriptedReceiver } from '../support/delivery-fakes';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { alarmEvent } from '../unit/noise/harness';
import { runCli } from '../support/cli';

let moto: MotoServer;
let restore: () => void;

const run = runCli;

beforeAll(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto.endpoint);
  await createStateTable('klaxon-test-state');
  await createDeliveryQueues('klaxon-test-delivery');
});

afterAll(async () => {
  restore();
  await moto.stop();
});

describe('state table sets (DynamoStateStore against moto)', () => {
  it('puts, replaces, lists and removes members of one row', async () => {
    const store = new DynamoStateStore(new DynamoDBClient({}), 'klaxon-test-state');
    const t0 = Date.UTC(2026, 2, 14, 10);
    await store.putSetMember('s1', 'a', { n: 1 }, t0);
    await store.putSetMember('s1', 'b#weird:name', { n: 2 }, t0);
    await store.putSetMember('s1', 'a', { n: 3 }, t0);
    expect(await store.setMembers('s1')).toEqual({ a: { n: 3 }, 'b#weird:name': { n: 2 } });
    await store.removeSetMember('s1', 'a');
    await store.removeSetMember('s1', 'never');
    await store.removeSetMember('no-such-set', 'x');
    expect(await store.setMembers('s1')).toEqual({ 'b#weird:name': { n: 2 } });
    expect(await store.setMembers('empty')).toEqual({});
  });
});

describe('klaxon silence against moto, and the deployed pipeline honouring it', () => {
  it('add, list, mute in the pipeline, explain <fingerprint>, expire (queues the re-check)', async () => {
    const added = await run(
      'silence',
      'add',
      '--stage',
      'test',
      '--match',
      'alarmName=api-*',
      '--for',
      '2h',
      '--reason',
      'deploy',
      '--created-by',
      'ana',
      '--json',
    );
    expect(added.code).toBe(EXIT.ok);
    const silence = JSON.parse(added.stdout) as { id: string; endsAt: number; startsAt: number };
    expect(silence.endsAt - silence.startsAt).toBe(2 * 3_600_000);
    const listed = await run('silence', 'list', '--stage', 'test');
    expect(listed.stdout).toContain(`${silence.id}  active  alarmName~"api-*"`);
    expect(listed.stdout).toContain('by ana: deploy');

    // The deployed pipeline over the same table: muted, recorded, explained.
    const config = loadConfig(
      'receivers: { chat: { type: slack, webhookUrl: { env: S } } }\nroute: { receiver: chat }',
    );
    const store = new DynamoStateStore(new DynamoDBClient({}), 'klaxon-test-state');
    const sqs = new SQSClient({});
    const retryUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'klaxon-test-delivery-retry' })))
      .QueueUrl!;
    const deadUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'klaxon-test-delivery-dlq' })))
      .QueueUrl!;
    const queue = new SqsDeliveryQueue(sqs, retryUrl, deadUrl);
    const chat = new ScriptedReceiver('chat', 'slack', false);
    const receivers = new Map<string, Receiver>([['chat', chat]]);
    const now = () => new Date();
    const noise = new NoiseEngine({ config, store, queue, observer: silentObserver, now });
    const clock = { now: () => Date.now(), sleep: async () => {} };
    const dispatcher = new Dispatcher({
      config,
      receivers,
      store,
      queue,
      clock,
      observer: silentObserver,
      remainingMs: () => 25_000,
      leaseMs: 45_000,
      noiseJob: (job, d) => noise.runJob(job, d),
    });
    const deps = {
      config,
      receivers,
      mode: 'deliver' as const,
      observer: silentObserver,
      now,
      dispatcher,
      store,
      noise,
    };
    const result = await processEvent(alarmEvent({ name: 'api-x', state: 'ALARM', at: Date.now() }), deps);
    expect(result.alerts[0]?.decision.suppressed).toBe(`silenced by ${silence.id}: deploy`);
    expect(chat.sent).toEqual([]);
    const fingerprint = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-x';
    const explained = await run('explain', fingerprint, '--stage', 'test');
    expect(explained.code).toBe(EXIT.ok);
    expect(explained.stdout).toContain(`suppressed:  silence: silenced by ${silence.id}: deploy`);
    expect(explained.stdout).toContain('would go to: chat');
    expect((await run('explain', 'arn:none', '--stage', 'test')).code).toBe(EXIT.failure);

    // Expire: the CLI queues an unmute job; the retrier runs it and the still-firing alert goes out.
    const drain = async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: retryUrl, MaxNumberOfMessages: 10 }));
      return (got.Messages ?? []).map((m) => parseDeliveryJob(m.Body ?? ''));
    };
    await drain(); // the job scheduled at the silence's original end
    const expired = await run('silence', 'expire', silence.id, '--stage', 'test');
    expect(expired.stdout).toContain(`expired ${silence.id}  expired`);
    const jobs = await drain();
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'noise', action: 'unmute', key: `silence:${silence.id}` }),
    ]);
    for (const job of jobs) await dispatcher.runJob(job);
    expect(chat.sent.map((a) => a.labels.alarmName)).toEqual(['api-x']);
    expect((await run('silence', 'expire', 's-nope', '--stage', 'test')).code).toBe(EXIT.failure);
    expect((await run('silence', 'list', '--stage', 'test')).stdout).toContain(
      'no active or pending silences',
    );
  });
});

describe('klaxon drill against moto', () => {
  it('publishes a fixture to klaxon-<stage>-alarms (the inner SNS message)', async () => {
    const sns = new SNSClient({});
    const sqs = new SQSClient({});
    const topic = await sns.send(new CreateTopicCommand({ Name: 'klaxon-drill-alarms' }));
    const sink = await sqs.send(new CreateQueueCommand({ QueueName: 'drill-sink' }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: sink.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: attrs.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const { code, stdout } = await run(
      'drill',
      '--stage',
      'drill',
      '--fixture',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(`to ${topic.TopicArn}`);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sink.QueueUrl, WaitTimeSeconds: 1 }));
    const inner = (
      fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json') as {
        Records: Array<{ Sns: { Message: string } }>;
      }
    ).Records[0]!.Sns.Message;
    expect(got.Messages?.[0]?.Body).toBe(inner);
    expect(
      (
        await run(
          'drill',
          '--stage',
          'nowhere',
          '--fixture',
          'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
        )
      ).code,
    ).toBe(EXIT.failure);
  });

  it('sets a named alarm to ALARM with SetAlarmState, and says when there is none', async () => {
    const cloudwatch = new CloudWatchClient({});
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'drill-target',
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:klaxon-test-alarms'],
        MetricName: 'Errors',
        Namespace: 'Drill',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const { code, stdout } = await run('drill', '--stage', 'test', '--alarm', 'drill-target', '--json');
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout)).toMatchObject({ alarm: 'drill-target', state: 'ALARM' });
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['drill-target'] }));
    expect(described.MetricAlarms?.[0]?.StateValue).toBe('ALARM');
    expect(described.MetricAlarms?.[0]?.StateReason).toContain('Klaxon fire drill');
    expect((await run('drill', '--stage', 'test', '--alarm', 'no-such-alarm')).code).toBe(EXIT.failure);
  });
});
