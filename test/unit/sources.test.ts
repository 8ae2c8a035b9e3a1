import { describe, expect, it } from 'vitest';
import { parseArn } from '../../shared/sources/arn';
import { alarmTimeMillis } from '../../shared/sources/cloudwatch-alarm/normalize';
import { splitEnvelope } from '../../shared/sources/envelope';
import { normalizeRecord } from '../../shared/sources/registry';
import type { AlertDraft } from '../../shared/sources/types';
import { fixture } from '../support/fixtures';

function drafts(raw: unknown): AlertDraft[] {
  return splitEnvelope(raw).flatMap((record) => {
    const result = normalizeRecord(record);
    if (result.kind !== 'alerts') throw new Error(`expected alerts, got ${result.kind}: ${result.reason}`);
    return result.drafts;
  });
}

function only(raw: unknown): AlertDraft {
  const [first, ...rest] = drafts(raw);
  if (!first || rest.length > 0) throw new Error('expected exactly one alert');
  return first;
}

function outcome(raw: unknown) {
  const records = splitEnvelope(raw);
  return records.map((record) => normalizeRecord(record));
}

describe('ARN parsing', () => {
  it('splits on the first five colons only, keeping raw alarm names', () => {
    expect(parseArn('arn:aws:cloudwatch:eu-south-1:123456789012:alarm:Sesión: DB | x')).toEqual({
      arnPartition: 'aws',
      partition: 'aws',
      service: 'cloudwatch',
      region: 'eu-south-1',
      account: '123456789012',
      resource: 'alarm:Sesión: DB | x',
    });
  });

  it('knows the China and GovCloud partitions and rejects non-ARNs', () => {
    expect(parseArn('arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a')?.partition).toBe('aws-cn');
    expect(parseArn('arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:a')?.partition).toBe(
      'aws-us-gov',
    );
    expect(parseArn('not-an-arn')).toBeUndefined();
    expect(parseArn('arn:aws:cloudwatch:US East:123456789012:alarm:a')).toBeUndefined();
    expect(parseArn('arn:azure:cloudwatch:us-east-1:123456789012:alarm:a')).toBeUndefined();
  });

  it('accepts every partition and lower-case Region, with a console partition only where Klaxon has one', () => {
    expect(parseArn('arn:aws-eusc:cloudwatch:eusc-de-east-1:123456789012:alarm:a')).toMatchObject({
      arnPartition: 'aws-eusc',
      partition: undefined,
      region: 'eusc-de-east-1',
    });
    expect(parseArn('arn:aws-iso-b:cloudwatch:us-isob-east-1:123456789012:alarm:a')?.arnPartition).toBe(
      'aws-iso-b',
    );
    expect(parseArn('arn:aws:cloudwatch:xx-anon-1:123456789012:alarm:a')).toMatchObject({
      region: 'xx-anon-1',
      partition: undefined,
    });
  });
});

describe('alarm timestamps', () => {
  it('parses the +0000 offset CloudWatch uses and rejects the broken doc sample', () => {
    expect(alarmTimeMillis('2026-03-14T09:41:07.123+0000')).toBe(Date.UTC(2026, 2, 14, 9, 41, 7, 123));
    expect(alarmTimeMillis('2023-08-04T12: 56: 46.138+0000')).toBeUndefined();
  });
});

describe('one transition, three paths', () => {
  const sns = only(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
  const eventBridge = only(fixture('cloudwatch-alarm/eventbridge-metric-alarm-5xx.json'));
  const action = only(fixture('cloudwatch-alarm/alarm-action-metric-alarm-5xx.json'));

  it('has the same fingerprint and transitionId whichever path delivered it', () => {
    expect(sns.fingerprint).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx');
    expect(eventBridge.fingerprint).toBe(sns.fingerprint);
    expect(action.fingerprint).toBe(sns.fingerprint);
    expect(sns.transitionId).toBe(`${sns.fingerprint}|ALARM|${Date.UTC(2026, 2, 14, 9, 41, 7, 123)}`);
    expect(eventBridge.transitionId).toBe(sns.transitionId);
    expect(action.transitionId).toBe(sns.transitionId);
  });

  it('keeps the path for the record only', () => {
    expect([sns.path, eventBridge.path, action.path]).toEqual(['sns', 'eventbridge', 'alarm-action']);
  });

  it('labels all three alike', () => {
    for (const d of [sns, eventBridge, action]) {
      expect(d.labels).toMatchObject({
        source: 'cloudwatch-alarm',
        account: '123456789012',
        region: 'us-east-1',
        alarmName: 'api-prod-5xx',
        state: 'ALARM',
        previousState: 'OK',
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
      });
      expect(d.status).toBe('firing');
      expect(d.startsAt).toBe('2026-03-14T09:41:07.123Z');
    }
  });

  it('promotes the alarm tags the EventBridge event carries', () => {
    expect(eventBridge.labels).toMatchObject({ team: 'payments', service: 'api' });
  });
});

describe('SNS alarm messages', () => {
  it('takes the region code from the alarm ARN, never the display name or the subject', () => {
    const d = only(fixture('cloudwatch-alarm/sns-truncated-subject-non-ascii.json'));
    expect(d.labels.region).toBe('eu-south-1');
    expect(d.labels.alarmName).toBe(
      'Sesión DB conexiones altas | primary [eu-south-1] | réplica de lectura pagos-prod (umbral 90%)',
    );
  });

  it('reads a percentile alarm with its extended statistic', () => {
    const d = only(fixture('cloudwatch-alarm/sns-extended-statistic-p99.json'));
    expect(d.metric?.statistic).toBe('p99');
    expect(d.labels.region).toBe('us-east-2');
    expect(d.labels.alarmKind).toBe('metric');
  });

  it('reads a metric-math alarm from Trigger.Metrics', () => {
    const d = only(fixture('cloudwatch-alarm/sns-metric-math-error-rate.json'));
    expect(d.labels.alarmKind).toBe('math');
    expect(d.metric?.expression).toBeTruthy();
    expect(d.labels.region).toBe('eu-west-1');
  });

  it('reads an anomaly-detection alarm', () => {
    const d = only(fixture('cloudwatch-alarm/sns-anomaly-detection.json'));
    expect(d.labels.alarmKind).toBe('anomaly');
    expect(d.metric?.threshold).toBeUndefined();
  });

  it('reads a composite alarm and its triggering children', () => {
    const d = only(fixture('cloudwatch-alarm/sns-composite-alarm.json'));
    expect(d.labels.alarmKind).toBe('composite');
    expect(d.annotations.triggeringAlarms).toContain('arn:aws:cloudwatch:');
    expect(d.annotations.alarmRule).toContain('ALARM(');
  });

  it('marks INSUFFICIENT_DATA as a firing no-data notice', () => {
    const d = only(fixture('cloudwatch-alarm/sns-insufficient-data.json'));
    expect(d.status).toBe('firing');
    expect(d.noData).toBe(true);
    expect(d.labels.state).toBe('INSUFFICIENT_DATA');
    expect(d.annotations.description).toBeUndefined();
  });

  it('resolves on OK with the same fingerprint as the firing alert', () => {
    const firing = only(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    const ok = only(fixture('cloudwatch-alarm/sns-metric-alarm-5xx-ok.json'));
    expect(ok.status).toBe('resolved');
    expect(ok.fingerprint).toBe(firing.fingerprint);
    expect(ok.transitionId).not.toBe(firing.transitionId);
    expect(ok.labels.previousState).toBe('ALARM');
  });

  it('reads every record of a multi-record event', () => {
    const all = drafts(fixture('cloudwatch-alarm/sns-multi-record.json'));
    expect(all.map((d) => d.status)).toEqual(['firing', 'resolved']);
  });

  it('labels the topic a message came through, including topics in other accounts', () => {
    const d = only(fixture('cloudwatch-alarm/sns-cross-account-topic.json'));
    expect(d.labels).toMatchObject({ topic: 'team-alarms', account: '111122223333', region: 'us-west-2' });
  });

  it('reports a truncated JSON message as invalid with the parser reason', () => {
    const [result] = outcome(fixture('cloudwatch-alarm/sns-malformed-message.json'));
    expect(result).toMatchObject({ kind: 'invalid' });
    expect(result?.kind === 'invalid' && result.reason).toMatch(/^SNS message is not valid JSON/);
  });

  it('recognizes plain text and EventBridge events routed through SNS without crashing', () => {
    expect(outcome(fixture('sns/sns-plain-text.json'))[0]).toMatchObject({
      kind: 'ignored',
      notice: 'plain-text message',
    });
    expect(outcome(fixture('sns/sns-eventbridge-event.json'))[0]).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('EC2 Instance State-change Notification'),
    });
  });

  it('yields nothing for an empty batch', () => {
    expect(splitEnvelope(fixture('cloudwatch-alarm/sns-empty-records.json'))).toEqual([]);
  });

  it('reports a record that is not an SNS record and keeps the others', () => {
    const good = (fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json') as { Records: unknown[] }).Records[0];
    const results = outcome({ Records: [{ nope: true }, good] });
    expect(results.map((r) => r.kind)).toEqual(['invalid', 'alerts']);
  });
});

describe('EventBridge alarm events', () => {
  it('honours suppressed composite actions as a source suppression', () => {
    const d = only(fixture('cloudwatch-alarm/eventbridge-composite-suppressed.json'));
    expect(d.labels.alarmKind).toBe('composite');
    expect(d.suppressedBySource).toMatch(/^composite alarm actions suppressed by WaitPeriod/i);
  });

  it('honours alarm mute rules', () => {
    const d = only(fixture('cloudwatch-alarm/eventbridge-muted-alarm.json'));
    expect(d.suppressedBySource).toBe('muted by alarm mute rule deploy-window');
    expect(d.annotations.mutedBy).toContain('alarm-mute-rule:deploy-window');
  });

  it('gives each Metrics Insights contributor its own fingerprint', () => {
    const d = only(fixture('cloudwatch-alarm/eventbridge-contributor-state-change.json'));
    expect(d.labels.alarmKind).toBe('contributor');
    expect(d.fingerprint).toMatch(/\/contributor\/[0-9a-f]+$/);
    expect(d.labels.contributorId).toBeTruthy();
    expect(d.labels.previousState).toBeUndefined();
  });

  it('ignores configuration changes', () => {
    expect(outcome(fixture('cloudwatch-alarm/eventbridge-configuration-change.json'))[0]).toMatchObject({
      kind: 'ignored',
    });
  });

  it('reports a state change without state as invalid, naming the field', () => {
    const [result] = outcome(fixture('cloudwatch-alarm/eventbridge-missing-state.json'));
    expect(result?.kind === 'invalid' && result.reason).toMatch(/state/);
  });
});

describe('direct alarm actions', () => {
  it('reads a composite alarm action', () => {
    const d = only(fixture('cloudwatch-alarm/alarm-action-composite.json'));
    expect(d.labels.alarmKind).toBe('composite');
    expect(d.path).toBe('alarm-action');
  });

  it('places an alarm whose ARN is not one by the payload account and Region, and says so', () => {
    const draft = only(fixture('cloudwatch-alarm/alarm-action-bad-arn.json'));
    expect(draft.fingerprint).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx');
    expect(draft.annotations.unreadable).toBe(
      'field alarm ARN ("not-an-arn" is not a CloudWatch alarm ARN: built from the payload)',
    );
  });

  it('reports an alarm with neither a readable ARN nor an account and Region', () => {
    const payload = fixture('cloudwatch-alarm/alarm-action-bad-arn.json') as Record<string, unknown>;
    const [result] = outcome({ ...payload, accountId: undefined });
    expect(result).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('"not-an-arn" is not a CloudWatch alarm ARN'),
    });
  });
});

describe('SNS alarm messages without AlarmArn', () => {
  it("place the alarm in the topic's Region and the message's account, as its own ARN would", () => {
    const draft = only(fixture('cloudwatch-alarm/sns-metric-alarm-no-alarm-arn.json'));
    expect(draft.fingerprint).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-latency-p99');
    expect(draft.labels).toMatchObject({ account: '123456789012', region: 'us-east-1' });
    expect(draft.annotations.unreadable).toBe('field alarm ARN (missing: built from the topic ARN)');
  });

  it("take the topic's account when the message names none", () => {
    const event = fixture('cloudwatch-alarm/sns-metric-alarm-no-alarm-arn.json') as {
      Records: Array<{ Sns: { Message: string; TopicArn: string } }>;
    };
    const sns = event.Records[0]?.Sns;
    if (!sns) throw new Error('no record');
    const message = JSON.parse(sns.Message) as Record<string, unknown>;
    delete message.AWSAccountId;
    sns.Message = JSON.stringify(message);
    sns.TopicArn = 'arn:aws:sns:eu-west-1:111122223333:klaxon-prod-alarms';
    expect(only(event).fingerprint).toBe(
      'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-prod-latency-p99',
    );
  });
});

describe('unrecognized input', () => {
  it.each([null, 'text', 42, [1, 2], { hello: 'world' }])('reports %j as invalid without throwing', (raw) => {
    const results = outcome(raw);
    expect(results).toHaveLength(1);
    expect(results[0]?.kind).toBe('invalid');
  });
});

describe('CloudTrail events of a service the registry does not list', () => {
  it('still reach the detection catalog instead of being reported unsupported', () => {
    const event = {
      version: '0',
      id: '6f1c2a9e-0000-4000-8000-000000000001',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.newservice',
      account: '123456789012',
      time: '2026-03-14T09:41:07Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        eventVersion: '1.09',
        userIdentity: {
          type: 'IAMUser',
          arn: 'arn:aws:iam::123456789012:user/alice',
          accountId: '123456789012',
        },
        eventTime: '2026-03-14T09:41:07Z',
        eventSource: 'newservice.amazonaws.com',
        eventName: 'DescribeThings',
        awsRegion: 'us-east-1',
        sourceIPAddress: '203.0.113.10',
        eventID: '0b6e4a1c-0000-4000-8000-000000000001',
        eventType: 'AwsApiCall',
        readOnly: true,
        recipientAccountId: '123456789012',
      },
    };
    const [result] = splitEnvelope(event).map((record) => normalizeRecord(record));
    expect(result?.kind).toBe('ignored');
    expect(result?.kind === 'ignored' && result.notice).toBeUndefined();
  });
});
