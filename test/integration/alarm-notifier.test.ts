import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../shared/config/yaml';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { createOperationalEvents } from '../../functions/operational-events/handler';
import { DIMENSION_VALUES, METRIC_DIMENSIONS } from '../../shared/observability/metrics';
import { useMotoEnv } from '../support/aws-env';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { fixture } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { pagerDutyProblems } from '../support/pagerduty-schema';

const ROUTING_KEY = 'R0UT1NGK3Ysecret0000000000000042';
const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx';

let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlack;
let restoreEnv: () => void;
let output: ReturnType<typeof captureOutput>;

function configText(timeoutMs = 2000): string {
  return `
severity:
  - match: { alarmName: "api-*-5xx" }
    severity: critical
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pagerduty-oncall }, url: "${pagerDuty.url}", timeoutMs: ${timeoutMs} }
  alerts: { type: slack, webhookUrl: { ssm: slack-alerts }, timeoutMs: ${timeoutMs} }
route:
  receiver: alerts
  routes:
    - { name: page, match: { severity: critical }, receiver: oncall, continue: true }
    - { name: chat, match: { severity: [critical, error, warning] }, receiver: alerts }
`;
}

function notifier(timeoutMs?: number) {
  return createAlarmNotifier(() => deployedDeps(parseConfigYaml(configText(timeoutMs))));
}

async function putSecret(name: string, value: string): Promise<void> {
  await new SSMClient({}).send(
    new PutParameterCommand({
      Name: `/klaxon/test/${name}`,
      Value: value,
      Type: 'SecureString',
      Overwrite: true,
    }),
  );
}

beforeAll(async () => {
  moto = await startMoto();
  pagerDuty = await startFakePagerDuty();
  slack = await startFakeSlack();
  restoreEnv = useMotoEnv(moto.endpoint);
  process.env.KLAXON_SSM_PREFIX = '/klaxon/test';
});

afterAll(async () => {
  delete process.env.KLAXON_SSM_PREFIX;
  restoreEnv();
  await Promise.all([moto.stop(), pagerDuty.close(), slack.close()]);
});

beforeEach(async () => {
  pagerDuty.reset();
  slack.reset();
  await moto.reset();
  await putSecret('pagerduty-oncall', ROUTING_KEY);
  await putSecret('slack-alerts', slack.webhookUrl('alerts'));
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  const text = output.text();
  // Secrets never reach logs, whatever happened in the test.
  expect(text).not.toContain(ROUTING_KEY);
  expect(text).not.toContain(slack.webhookUrl('alerts'));
  expect(text).not.toContain('/services/T000');
});

describe('alarm notifier against moto SSM and loopback PagerDuty/Slack', () => {
  it('pages and posts an SNS alarm, with the secrets read from SSM', async () => {
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result).toEqual({
      outcome: 'alerts',
      alerts: 1,
      delivered: 2,
      queued: 0,
      duplicates: 0,
      failed: 0,
      invalid: 0,
    });
    const [event] = pagerDuty.requests;
    expect(pagerDutyProblems(event?.body)).toEqual([]);
    expect(event?.body).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: ARN });
    expect(pagerDuty.incident(ROUTING_KEY, ARN)?.status).toBe('open');
    expect(slack.messages('alerts')).toHaveLength(1);
  });

  it('gives the same dedup_key on all three paths, so PagerDuty keeps one incident', async () => {
    const handler = notifier();
    await handler(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    await handler(fixture('cloudwatch-alarm/eventbridge-metric-alarm-5xx.json'));
    await handler(fixture('cloudwatch-alarm/alarm-action-metric-alarm-5xx.json'));
    const keys = pagerDuty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key);
    expect(keys).toEqual([ARN, ARN, ARN]);
    expect(pagerDuty.incidents.size).toBe(1);
  });

  it('resolves the incident on OK with the same routing key and dedup_key, and posts a recovery', async () => {
    const handler = notifier();
    await handler(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    await handler(fixture('cloudwatch-alarm/sns-metric-alarm-5xx-ok.json'));
    expect(pagerDuty.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
    expect(pagerDuty.incident(ROUTING_KEY, ARN)?.status).toBe('resolved');
    expect(JSON.stringify(slack.messages('alerts')[1])).toContain('RESOLVED api-prod-5xx');
  });

  it('retries a Slack 429 after its Retry-After and delivers', async () => {
    slack.script([{ status: 429, retryAfter: 1 }], 'alerts');
    const started = Date.now();
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result.delivered).toBe(2);
    expect(slack.requestsFor('alerts').map((r) => r.response?.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries PagerDuty 5xx and 429 and delivers once', async () => {
    pagerDuty.script([{ status: 503 }, { status: 429 }]);
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result.failed).toBe(0);
    expect(pagerDuty.requests.map((r) => r.response?.status)).toEqual([503, 429, 202]);
  });

  it('does not retry a PagerDuty 400, and Slack is unaffected', async () => {
    pagerDuty.script([{ status: 400 }]);
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result).toMatchObject({ delivered: 1, failed: 1 });
    expect(pagerDuty.requests).toHaveLength(1);
    expect(slack.messages('alerts')).toHaveLength(1);
    const failure = output.lines().find((line) => line.includes('alert delivery failed'));
    expect(failure).toContain('PagerDuty answered HTTP 400');
  });

  it('times out a hanging Slack and still pages', async () => {
    slack.script([{ hang: true }, { hang: true }, { hang: true }], 'alerts');
    const result = await notifier(300)(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result).toMatchObject({ delivered: 1, failed: 1 });
    expect(pagerDuty.incident(ROUTING_KEY, ARN)?.status).toBe('open');
    expect(output.text()).toContain('no answer within 300 ms');
  });

  it('reports a revoked Slack webhook as permanent without leaking its URL', async () => {
    slack.revoke('alerts');
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result.failed).toBe(1);
    expect(slack.requestsFor('alerts')).toHaveLength(1);
    expect(output.text()).toContain('Slack answered HTTP 404: no_service');
  });

  it('names a missing secret by reference, and other receivers still deliver', async () => {
    await moto.reset();
    await putSecret('slack-alerts', slack.webhookUrl('alerts'));
    const result = await notifier()(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    expect(result).toMatchObject({ delivered: 1, failed: 1 });
    expect(output.text()).toContain(
      'secret ssm:pagerduty-oncall: SSM parameter /klaxon/test/pagerduty-oncall could not be read',
    );
  });

  it('reports malformed input as invalid, never throws, and tells the catch-all receiver', async () => {
    const handler = notifier();
    const result = await handler(fixture('cloudwatch-alarm/sns-malformed-message.json'));
    expect(result).toMatchObject({ outcome: 'invalid', invalid: 1, delivered: 1 });
    expect(JSON.stringify(slack.messages('alerts')[0])).toContain('Klaxon could not use an event');
    await expect(handler('garbage')).resolves.toMatchObject({ outcome: 'invalid' });
    await expect(handler(null)).resolves.toMatchObject({ outcome: 'invalid' });
  });

  it('logs one structured decision line per alert and publishes only low-cardinality metrics', async () => {
    await notifier()(fixture('cloudwatch-alarm/sns-multi-record.json'));
    const lines = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const decisions = lines.filter((l) => l.message === 'alert decided');
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toMatchObject({
      level: 'INFO',
      decision: {
        fingerprint: expect.stringContaining('arn:aws:cloudwatch'),
        route: ['chat'],
        receivers: ['alerts'],
      },
    });
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf.length).toBeGreaterThan(0);
    for (const blob of emf) {
      const directive = (
        blob._aws as {
          CloudWatchMetrics: Array<{
            Namespace: string;
            Dimensions: string[][];
            Metrics: Array<{ Name: string }>;
          }>;
        }
      ).CloudWatchMetrics[0];
      expect(directive?.Namespace).toBe('Klaxon');
      for (const metric of directive?.Metrics ?? [])
        expect(Object.keys(METRIC_DIMENSIONS)).toContain(metric.Name);
      for (const name of directive?.Dimensions.flat() ?? []) {
        if (name === 'service') continue;
        const allowed = (DIMENSION_VALUES as Record<string, readonly string[]>)[name];
        expect(allowed, `dimension ${name}`).toBeDefined();
        expect(allowed).toContain(blob[name]);
      }
    }
    const received = emf.find((b) => 'AlertsReceived' in b);
    expect(received).toMatchObject({ AlertsReceived: 2, source: 'cloudwatch-alarm', severity: 'warning' });
  });

  it('takes informational events from SNS (cost anomaly), and leaves EventBridge ones (ECS) to the operational-events function', async () => {
    const handler = notifier();
    const operational = createOperationalEvents(() => deployedDeps(parseConfigYaml(configText())));
    const cost = await handler(fixture('cost-anomaly/sns-anomaly-individual-alert.json'));
    // The ECS rule targets the operational-events function only: the notifier refuses the event.
    const refused = await handler(fixture('ecs/eventbridge-deployment-failed.json'));
    expect(refused).toMatchObject({ outcome: 'ignored', alerts: 0 });
    const ecs = await operational(fixture('ecs/eventbridge-deployment-failed.json'));
    expect(cost).toMatchObject({ outcome: 'alerts', alerts: 1, failed: 0, invalid: 0 });
    // The failure resolves the deployment's alert and raises its own point event.
    expect(ecs).toMatchObject({ outcome: 'alerts', alerts: 2, failed: 0, invalid: 0 });
    expect(pagerDuty.requests).toEqual([]);
    // No info route in this configuration: the catch-all (Slack) gets them, as info.
    expect(JSON.stringify(slack.messages('alerts'))).toContain(
      'Cost anomaly in Amazon Elastic Compute Cloud',
    );
    const lines = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const counted = lines
      .filter((l) => '_aws' in l && 'InformationalEvents' in l)
      .map((l) => [l.source, l.kind, l.InformationalEvents]);
    expect(counted).toEqual([
      ['cost-anomaly', 'cost-anomaly', 1],
      ['ecs', 'deployment', 2],
    ]);
    const decided = lines.filter((l) => l.message === 'alert decided').map((l) => l.decision);
    expect(decided).toMatchObject([
      { source: 'cost-anomaly', kind: 'cost-anomaly', severity: 'info' },
      { source: 'ecs', kind: 'deployment', severity: 'info', status: 'resolved' },
      { source: 'ecs', kind: 'deployment', severity: 'info', status: 'firing' },
    ]);
  });
});
