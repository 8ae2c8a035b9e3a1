import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlarmNotifier, deployedDeps } from '../../functions/alarm-notifier/handler';
import { parseConfigYaml } from '../../shared/config/yaml';
import { useMotoEnv } from '../support/aws-env';
import { captureOutput } from '../support/capture';
import { type FakePagerDuty, startFakePagerDuty } from '../support/fake-pagerduty';
import { type FakeSlack, slackMessageError, startFakeSlack } from '../support/fake-slack';
import { repoText } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';
import { pagerDutyProblems } from '../support/pagerduty-schema';

const ROUTING_KEY = 'R0UT1NGK3Yenrich000000000000042';
const ALARM = 'api-prod-5xx';
const ARN = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}`;
const LOAD_BALANCER = 'app/api-prod-alb/50dc6c495c0c9188';
const BUDGET_MS = 800;

let moto: MotoServer;
let pagerDuty: FakePagerDuty;
let slack: FakeSlack;
let restoreEnv: () => void;
let output: ReturnType<typeof captureOutput>;

/**
 * The example configuration with an enrichment budget: tests of the budget itself use BUDGET_MS; the
 * others get the schema's maximum so that moto on a loaded machine never turns them into timeouts.
 */
function config(budgetMs = 5000): unknown {
  return parseConfigYaml(`
severity:
  - match: { alarmName: "api-*-5xx" }
    severity: critical
enrichment:
  budgetMs: ${budgetMs}
  callTimeoutMs: ${budgetMs}
receivers:
  oncall: { type: pagerduty, routingKey: { ssm: pagerduty-oncall }, url: "${pagerDuty.url}" }
  alerts: { type: slack, webhookUrl: { ssm: slack-alerts } }
  payments: { type: slack, webhookUrl: { ssm: slack-payments } }
route:
  receiver: alerts
  routes:
    - { name: page, match: { severity: critical }, receiver: oncall, continue: true }
    - { name: payments-team, match: { team: payments }, receiver: payments }
    - { name: chat, match: { severity: [critical, error, warning] }, receiver: alerts }
`);
}

/**
 * Now, but at least 15 s before the next minute starts: the datapoints are laid out up to this
 * minute, and the enricher reads its window up to its own clock, so a minute boundary crossed in
 * between would leave the last slot of the sparkline empty.
 */
async function notNearTheEndOfAMinute(): Promise<Date> {
  const leftInMinute = 60_000 - (Date.now() % 60_000);
  if (leftInMinute < 15_000) await new Promise((resolve) => setTimeout(resolve, leftInMinute + 50));
  return new Date();
}

/** The SNS fixture of the alarm, its state change moved to `now` (so the window holds the datapoints). */
function snsAlarmEvent(now: Date): unknown {
  const event = JSON.parse(repoText('events/cloudwatch-alarm/sns-metric-alarm-5xx.json')) as {
    Records: Array<{ Sns: { Message: string; Timestamp: string } }>;
  };
  const record = event.Records[0];
  if (!record) throw new Error('fixture without a record');
  const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  message.StateChangeTime = now.toISOString().replace('Z', '+0000');
  record.Sns.Message = JSON.stringify(message);
  record.Sns.Timestamp = now.toISOString();
  return event;
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

/** The real alarm with its tags, and 30 minutes of datapoints ending in a spike (plus a day earlier). */
async function putAlarmAndDatapoints(now: Date): Promise<void> {
  const cloudwatch = new CloudWatchClient({});
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [{ Name: 'LoadBalancer', Value: LOAD_BALANCER }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      Tags: [
        { Key: 'team', Value: 'payments' },
        { Key: 'service', Value: 'api' },
      ],
    }),
  );
  const minute = 60_000;
  const last = Math.floor(now.getTime() / minute) * minute;
  const datum = (at: number, value: number): MetricDatum => ({
    MetricName: 'HTTPCode_Target_5XX_Count',
    Dimensions: [{ Name: 'LoadBalancer', Value: LOAD_BALANCER }],
    Timestamp: new Date(at),
    Value: value,
  });
  const data: MetricDatum[] = [];
  for (let i = 29; i >= 0; i--) {
    data.push(datum(last - i * minute, i < 2 ? 15 : 1));
    data.push(datum(last - i * minute - 86_400_000, 1));
  }
  for (let i = 0; i < data.length; i += 20) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/ApplicationELB', MetricData: data.slice(i, i + 20) }),
    );
  }
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
  await putSecret('slack-payments', slack.webhookUrl('payments'));
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  expect(output.text()).not.toContain(ROUTING_KEY);
});

function pagedDetails(): Record<string, unknown> {
  const event = pagerDuty.requests[0]?.body as { payload?: { custom_details?: Record<string, unknown> } };
  return event.payload?.custom_details ?? {};
}

describe('enrichment against moto CloudWatch, through the real alarm notifier', () => {
  it('routes on the alarm tag and shows trend, threshold, datapoints and links in Slack and PagerDuty', async () => {
    const now = await notNearTheEndOfAMinute();
    await putAlarmAndDatapoints(now);
    const handler = createAlarmNotifier(() => deployedDeps(config()));
    const result = await handler(snsAlarmEvent(now));
    expect(result).toMatchObject({ outcome: 'alerts', delivered: 2, failed: 0 });

    // Routed on `team: payments`, a tag the SNS event did not carry: read with ListTagsForResource.
    expect(slack.messages('payments')).toHaveLength(1);
    expect(slack.messages('alerts')).toHaveLength(0);

    const [page] = pagerDuty.requests;
    expect(pagerDutyProblems(page?.body)).toEqual([]);
    expect(page?.body).toMatchObject({ dedup_key: ARN, event_action: 'trigger' });
    const details = pagedDetails();
    expect(details.trend).toMatch(/^spike: 15 now, ~1 before; same window a day earlier ~1 \(15×\)/);
    expect(details.datapoints).toMatch(/█ now 15, max 15 · threshold > 5 \(.\) · 2 of \d+ breaching/);
    expect(details.labels).toMatchObject({ team: 'payments', service: 'api' });
    expect(details.enrichment_missing).toBeUndefined();
    const links = (page?.body as { links?: Array<{ href: string; text: string }> }).links ?? [];
    expect(links.map((l) => l.text)).toEqual(['Runbook', 'Open in AWS console', 'Metric graph']);
    expect(links[2]?.href).toMatch(
      /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#metricsV2:graph=/,
    );

    const message = slack.messages('payments')[0];
    expect(slackMessageError(message)).toBeUndefined();
    const text = JSON.stringify(message);
    expect(text).toContain('*Trend:* spike');
    expect(text).toContain('threshold &gt; 5');
    expect(text).toContain('"Metric graph"');
    expect(text).toContain('*Related signals:*');
  });

  it('delivers within the budget, marked as not enriched, when CloudWatch hangs', async () => {
    const hanging: Server = createServer(() => {
      // Accepts every request and never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const handler = createAlarmNotifier(() => deployedDeps(config(BUDGET_MS)));
      const started = Date.now();
      const result = await handler(snsAlarmEvent(new Date()));
      const took = Date.now() - started;
      expect(result).toMatchObject({ outcome: 'alerts', delivered: 2, failed: 0 });
      // The budget, plus the deliveries themselves (loopback) on a possibly loaded machine, and
      // nothing like a hang (without the budget the SDK call would wait forever).
      expect(took).toBeLessThan(BUDGET_MS + 5000);
      expect(pagedDetails().enrichment_missing).toBe('not enriched: tags: timed out; datapoints: timed out');
      expect(pagerDutyProblems(pagerDuty.requests[0]?.body)).toEqual([]);
      const message = slack.messages('alerts')[0];
      expect(slackMessageError(message)).toBeUndefined();
      expect(JSON.stringify(message)).toContain('Enrichment missing:* not enriched: tags: timed out');
      expect(output.text()).toContain('alert delivered without part of its enrichment');
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('delivers at once, marked as not enriched, when CloudWatch refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${port}`;
    const handler = createAlarmNotifier(() => deployedDeps(config(BUDGET_MS)));
    const started = Date.now();
    const result = await handler(snsAlarmEvent(new Date()));
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 5000);
    expect(result).toMatchObject({ delivered: 2, failed: 0 });
    expect(pagedDetails().enrichment_missing).toMatch(/^not enriched: tags: unreachable \(ECONNREFUSED\)/);
  });
});
