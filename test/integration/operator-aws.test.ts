import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { SqsDeliveryQueue } from '../../shared/delivery/queue';
import { useMotoEnv } from '../support/aws-env';
import { createDeliveryQueues, createStateTable } from '../support/aws-resources';
import { runCli as run } from '../support/cli';
import { testAlert } from '../support/delivery-fakes';

let restore: () => void;
beforeAll(() => {
  restore = useMotoEnv(inject('motoEndpoint'));
});
afterAll(() => restore());

describe('klaxon redrive --dry-run', () => {
  it('leaves every listed message visible, so a redrive right after moves them all', async () => {
    const { retryUrl, deadUrl } = await createDeliveryQueues('klaxon-dry1-delivery');
    const sqs = new SQSClient({});
    const queue = new SqsDeliveryQueue(sqs, retryUrl, deadUrl);
    for (const n of [1, 2, 3]) {
      await queue.deadLetter(
        { kind: 'deliver', key: `k${n}`, receiver: 'chat', alerts: [testAlert(n)], attempt: 6 },
        'HTTP 500 after every retry',
      );
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: deadUrl, MessageBody: 'not a job' }));

    const dry = await run('redrive', '--stage', 'dry1', '--dry-run');
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.stdout).toContain('3 would be moved to the retry queue, 1 left (unreadable).');
    const visible = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(visible.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '4',
      ApproximateNumberOfMessagesNotVisible: '0',
    });

    const real = await run('redrive', '--stage', 'dry1');
    expect(real.stdout).toContain('3 moved to the retry queue, 1 left (unreadable).');
  });

  it('a stage that is not deployed is exit 5 in two lines', async () => {
    const { code, stderr } = await run('redrive', '--stage', 'never-deployed');
    expect(code).toBe(EXIT.aws);
    expect(stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/^klaxon: not found in this account and region/);
  });
});

describe('klaxon drill --alarm checks the alarm actions', () => {
  const cloudwatch = () => new CloudWatchClient({});
  const klaxonTopic = 'arn:aws:sns:us-east-1:123456789012:klaxon-drill2-alarms';
  const scaling =
    'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0b8d6c1e-1111-2222-3333-444455556666:autoScalingGroupName/web:policyName/scale-out';
  const alarm = (name: string, actions: string[]) =>
    cloudwatch().send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        AlarmActions: actions,
        MetricName: 'Errors',
        Namespace: 'Drill',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  const state = async (name: string) =>
    (await cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]
      ?.StateValue;

  it('refuses an alarm that does not notify Klaxon, and leaves it alone', async () => {
    await alarm('drill-elsewhere', ['arn:aws:sns:us-east-1:123456789012:someone-else']);
    const { code, stderr } = await run('drill', '--stage', 'drill2', '--alarm', 'drill-elsewhere');
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain('does not notify Klaxon on ALARM');
    expect(stderr).toContain('someone-else');
    expect(await state('drill-elsewhere')).not.toBe('ALARM');
  });

  it('lists the other actions and asks for --yes before firing them', async () => {
    await alarm('drill-shared', [klaxonTopic, scaling]);
    const refused = await run('drill', '--stage', 'drill2', '--alarm', 'drill-shared');
    expect(refused.code).toBe(EXIT.failure);
    expect(refused.stderr).toContain(scaling);
    expect(refused.stderr).toContain('--yes');
    expect(await state('drill-shared')).not.toBe('ALARM');

    const done = await run('drill', '--stage', 'drill2', '--alarm', 'drill-shared', '--yes', '--json');
    expect(done.code).toBe(EXIT.ok);
    expect(JSON.parse(done.stdout)).toMatchObject({ state: 'ALARM', otherActions: [scaling] });
    expect(await state('drill-shared')).toBe('ALARM');
  });

  it('drills an alarm whose only action is Klaxon without asking', async () => {
    await alarm('drill-klaxon-only', [klaxonTopic]);
    expect((await run('drill', '--stage', 'drill2', '--alarm', 'drill-klaxon-only')).code).toBe(EXIT.ok);
  });
});

describe('klaxon approve', () => {
  it('an unknown id is exit 1 in two lines, naming the id and the fix', async () => {
    await createStateTable('klaxon-appr1-state');
    const { code, stderr } = await run('approve', 'no-such-approval', '--stage', 'appr1');
    expect(code).toBe(EXIT.failure);
    expect(stderr).toBe(
      'klaxon approve: no remediation no-such-approval in stage appr1\nfix: copy the id from the alert, and check --stage and --region (approvals expire)\n',
    );
  });

  it('a stage without a state table is exit 5', async () => {
    const { code, stderr } = await run('approve', 'x', '--stage', 'not-deployed');
    expect(code).toBe(EXIT.aws);
    expect(stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});
