import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import type {
  AlarmDefinition,
  CloudWatchPort,
  MetricQuery,
  MetricSeries,
} from '../../../shared/enrichment/cloudwatch-port';
import { AwsContextEnricher, Budget, childAlarmNames, TtlCache } from '../../../shared/enrichment/enricher';
import { silentObserver } from '../../../shared/observability/observer';
import { processEventText } from '../../../shared/pipeline';
import { createReceivers, systemClock } from '../../../shared/receivers/factory';
import { renderPagerDutyEvent } from '../../../shared/receivers/pagerduty/render';
import { renderSlackMessage } from '../../../shared/receivers/slack/render';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { slackMessageError } from '../../support/fake-slack';
import { repoText } from '../../support/fixtures';
import { pagerDutyProblems } from '../../support/pagerduty-schema';

const NOW = new Date('2026-03-14T09:41:30Z');
const PERIOD_MS = 60_000;

function configText(extra = ''): string {
  return `
severity:
  - match: { alarmName: "api-*-5xx" }
    severity: critical
receivers:
  oncall: { type: pagerduty, routingKey: { env: PD_KEY } }
  alerts: { type: slack, webhookUrl: { env: SLACK_URL } }
  payments: { type: slack, webhookUrl: { env: SLACK_URL } }
  quiet: { type: console }
route:
  receiver: alerts
  routes:
    - { name: page, match: { severity: critical }, receiver: oncall, continue: true }
    - { name: payments-team, match: { team: payments }, receiver: payments }
    - { name: quiet, match: { alarmName: "quiet-*" }, receiver: quiet, enrichment: false }
${extra}`;
}

/** A fake CloudWatch: scripted tags, alarms and series; records every call. */
class FakeCloudWatch implements CloudWatchPort {
  calls: Array<{ op: string; args: unknown }> = [];
  tags: Record<string, Record<string, string>> = {};
  alarms: AlarmDefinition[] = [];
  series: (queries: readonly MetricQuery[], range: { start: Date; end: Date }) => MetricSeries[] = () => [];
  hang = new Set<string>();
  fail = new Map<string, Error>();

  private async gate(op: string, args: unknown, signal: AbortSignal): Promise<void> {
    this.calls.push({ op, args });
    const error = this.fail.get(op);
    if (error) throw error;
    if (this.hang.has(op)) {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
  }

  async alarmTags(arn: string, signal: AbortSignal) {
    await this.gate('tags', arn, signal);
    return this.tags[arn] ?? {};
  }

  async describeAlarms(names: readonly string[], signal: AbortSignal) {
    await this.gate('describe', names, signal);
    return this.alarms.filter((a) => names.includes(a.name));
  }

  async metricData(queries: readonly MetricQuery[], range: { start: Date; end: Date }, signal: AbortSignal) {
    await this.gate('metricData', { queries, range }, signal);
    return this.series(queries, range);
  }
}

const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx';

/** 30 minutes flat at ~1, then 15 at the end; a day earlier ~1. */
function spikeSeries(queries: readonly MetricQuery[], range: { start: Date; end: Date }): MetricSeries[] {
  const end = range.end.getTime();
  return queries.map((q) => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let at = range.start.getTime(); at < end; at += PERIOD_MS) {
      timestamps.push(at);
      values.push(q.id === 'klxcur' ? (at >= end - 2 * PERIOD_MS ? 15 : 1) : 200);
    }
    return { id: q.id, timestamps, values };
  });
}

function setup(extra = '', cloudwatch = new FakeCloudWatch()) {
  const config = loadConfig(configText(extra));
  const enricher = new AwsContextEnricher(cloudwatch, config.enrichment, () => NOW);
  const deps = {
    config,
    receivers: createReceivers(config.receivers, {
      secrets: new LocalSecretResolver({}),
      post: async () => {
        throw new Error('no network in unit tests');
      },
      clock: systemClock,
      consoleSink: () => {},
    }),
    mode: 'preview' as const,
    observer: silentObserver,
    now: () => NOW,
    enricher,
  };
  return { cloudwatch, deps, enricher };
}

async function run(
  deps: ReturnType<typeof setup>['deps'],
  file: string,
): Promise<{ alert: Alert; receivers: string[] }> {
  const result = await processEventText(repoText(`events/${file}`), deps);
  const outcome = result.alerts[0];
  if (!outcome) throw new Error(`no alert from ${file}: ${JSON.stringify(result)}`);
  return { alert: outcome.decision.alert, receivers: outcome.decision.receivers };
}

describe('alarm enrichment with a fake CloudWatch', () => {
  it('promotes alarm tags to labels, so a route matches on them, and uses the severity tag', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.tags[ARN] = { team: 'payments', env: 'prod', severity: 'P1', costCenter: 'x' };
    const { alert, receivers } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(alert.labels).toMatchObject({ team: 'payments', env: 'prod' });
    expect(alert.labels.costCenter).toBeUndefined();
    expect(receivers).toEqual(['oncall', 'payments']);
    expect(alert.annotations.enrichment).toBeUndefined();
  });

  it('lets a severity tag decide the severity as an event tag does, and promotes configured tags', async () => {
    const { cloudwatch, deps } = setup('enrichment: { promoteTags: [costCenter] }');
    cloudwatch.tags['arn:aws:cloudwatch:eu-central-1:123456789012:alarm:billing-worker-queue-age'] = {
      severity: 'sev1',
      costCenter: 'cc-7',
    };
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-insufficient-data.json');
    // INSUFFICIENT_DATA follows the no-data policy whatever the tag says.
    expect(alert.severity).toBe('warning');
    expect(alert.labels.costCenter).toBe('cc-7');
  });

  it('skips ListTagsForResource when the event carried the tags', async () => {
    const { cloudwatch, deps } = setup();
    await run(deps, 'cloudwatch-alarm/eventbridge-metric-alarm-5xx.json');
    expect(cloudwatch.calls.map((c) => c.op)).not.toContain('tags');
  });

  it('caches tags across invocations', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.tags[ARN] = { team: 'payments' };
    await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(cloudwatch.calls.filter((c) => c.op === 'tags')).toHaveLength(1);
  });

  it('fetches datapoints, the day-earlier window and related signals in one GetMetricData call', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.series = spikeSeries;
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    const calls = cloudwatch.calls.filter((c) => c.op === 'metricData');
    expect(calls).toHaveLength(1);
    const { queries, range } = calls[0]?.args as {
      queries: MetricQuery[];
      range: { start: Date; end: Date };
    };
    expect(queries.map((q) => q.stat?.metricName)).toEqual([
      'HTTPCode_Target_5XX_Count',
      'RequestCount',
      'TargetResponseTime',
    ]);
    expect(range.end.getTime() - range.start.getTime()).toBeGreaterThanOrEqual(86_400_000 + 30 * 60_000);
    expect(alert.annotations.trend).toMatch(
      /^spike: 15 now, ~1 before; same window a day earlier ~1 \(15×\)/,
    );
    expect(alert.annotations.datapoints).toMatch(
      /^▁+█+ now 15, max 15 · threshold > 5 \(▃\) · 2 of 30 breaching/,
    );
    expect(alert.annotations.recentValues).toContain('09:41 15');
    expect(alert.annotations.related).toContain('Requests (Sum): ');
    expect(alert.links.map((l) => l.text)).toEqual(['Metric graph']);
  });

  it('reads the threshold from DescribeAlarms when the event lacks it (EventBridge)', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.alarms = [
      {
        name: 'api-prod-5xx',
        kind: 'metric',
        threshold: 5,
        comparisonOperator: 'GreaterThanThreshold',
        period: 60,
        evaluationPeriods: 1,
      },
    ];
    cloudwatch.series = spikeSeries;
    const { alert } = await run(deps, 'cloudwatch-alarm/eventbridge-metric-alarm-5xx.json');
    expect(alert.metric).toMatchObject({ threshold: 5, comparisonOperator: 'GreaterThanThreshold' });
    expect(alert.annotations.summary).toContain('(HTTPCode_Target_5XX_Count > 5)');
    expect(alert.annotations.datapoints).toContain('threshold > 5');
  });

  it('queries a metric-math alarm with its own expressions from its definition', async () => {
    const { cloudwatch, deps } = setup();
    const message = JSON.parse(
      (
        JSON.parse(repoText('events/cloudwatch-alarm/sns-metric-math-error-rate.json')) as {
          Records: Array<{ Sns: { Message: string } }>;
        }
      ).Records[0]?.Sns.Message ?? '{}',
    ) as { AlarmName: string };
    cloudwatch.alarms = [
      {
        name: message.AlarmName,
        kind: 'metric',
        threshold: 5,
        comparisonOperator: 'GreaterThanThreshold',
        period: 300,
        queries: [
          { id: 'e1', expression: '100*(m1/m2)', label: 'rate', returnData: true },
          {
            id: 'm1',
            stat: {
              namespace: 'AWS/Lambda',
              metricName: 'Errors',
              dimensions: { FunctionName: 'f' },
              stat: 'Sum',
              period: 300,
            },
            returnData: false,
          },
          {
            id: 'm2',
            stat: {
              namespace: 'AWS/Lambda',
              metricName: 'Invocations',
              dimensions: { FunctionName: 'f' },
              stat: 'Sum',
              period: 300,
            },
            returnData: false,
          },
        ],
      },
    ];
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-metric-math-error-rate.json');
    const call = cloudwatch.calls.find((c) => c.op === 'metricData')?.args as { queries: MetricQuery[] };
    expect(call.queries.filter((q) => q.returnData).map((q) => q.id)).toEqual([
      'e1',
      'klxrel0',
      'klxrel1',
      'klxrel2',
      'klxrel3',
    ]);
    expect(call.queries.find((q) => q.id === 'e1')?.expression).toBe('100*(m1/m2)');
    expect(alert.links.map((l) => l.text)).toEqual(['Metric graph', 'Logs Insights', 'X-Ray traces']);
    expect(alert.links[1]?.url).toContain("source~(~'*2faws*2flambda*2ff)");
  });

  it('lists the children of a composite alarm from the event, with links', async () => {
    const { cloudwatch, deps } = setup();
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-composite-alarm.json');
    expect(alert.annotations.alarmingChildren).toBe('payments-api-5xx');
    expect(alert.links).toContainEqual({
      text: 'Alarm payments-api-5xx',
      url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/payments-api-5xx',
    });
    expect(cloudwatch.calls.map((c) => c.op)).toEqual(['tags']);
  });

  it('asks DescribeAlarms which children are in ALARM when the event does not say', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.alarms = [
      { name: 'a', kind: 'metric', state: 'ALARM' },
      { name: 'b', kind: 'metric', state: 'OK' },
      { name: 'c d', kind: 'composite', state: 'ALARM' },
    ];
    const event = JSON.parse(repoText('events/cloudwatch-alarm/sns-composite-alarm.json')) as {
      Records: Array<{ Sns: { Message: string } }>;
    };
    const record = event.Records[0] as { Sns: { Message: string } };
    const message = JSON.parse(record.Sns.Message) as Record<string, unknown>;
    message.TriggeringChildren = [];
    message.AlarmRule =
      'ALARM(a) OR (ALARM("b") AND ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:c d"))';
    record.Sns.Message = JSON.stringify(message);
    const result = await processEventText(JSON.stringify(event), deps);
    expect(result.alerts[0]?.decision.alert.annotations.alarmingChildren).toBe('a, c d');
    expect(childAlarmNames(message.AlarmRule as string)).toEqual(['a', 'b', 'c d']);
  });

  it('names the missing piece and still delivers (AccessDenied on GetMetricData)', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.tags[ARN] = { team: 'payments' };
    cloudwatch.fail.set('metricData', Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { alert, receivers } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(alert.annotations.enrichment).toBe('datapoints: AccessDenied');
    expect(receivers).toEqual(['oncall', 'payments']);
    expect(alert.links.map((l) => l.text)).toEqual(['Metric graph']);
  });

  it('never waits beyond the budget: hanging calls are timed out and the alert goes out marked', async () => {
    const { cloudwatch, deps } = setup('enrichment: { budgetMs: 150, callTimeoutMs: 100 }');
    for (const op of ['tags', 'describe', 'metricData']) cloudwatch.hang.add(op);
    const started = Date.now();
    const { alert, receivers } = await run(deps, 'cloudwatch-alarm/eventbridge-metric-alarm-5xx.json');
    const took = Date.now() - started;
    // Without the budget the hanging calls never return; the margin is for a loaded CI machine.
    expect(took).toBeLessThan(2000);
    expect(alert.annotations.enrichment).toBe('not enriched: definition: timed out; datapoints: timed out');
    // The event's own tags still route it.
    expect(receivers).toEqual(['oncall', 'payments']);
  });

  it('times out a call that ignores its abort signal at the budget', async () => {
    const budget = new Budget(80, 1000);
    const never = new Promise<never>(() => {});
    const started = Date.now();
    const settled = await budget.settle({ tags: budget.call(() => never) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(settled.get('tags')).toMatchObject({ ok: false, reason: 'timed out' });
  });

  it('names network failures as unreachable', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.fail.set(
      'tags',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    cloudwatch.fail.set(
      'metricData',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(alert.annotations.enrichment).toBe(
      'not enriched: tags: unreachable (ECONNREFUSED); datapoints: unreachable (ECONNREFUSED)',
    );
  });

  it('is off globally, per enricher and per route', async () => {
    const off = setup('enrichment: { enabled: false }');
    await run(off.deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(off.cloudwatch.calls).toEqual([]);

    const noTags = setup('enrichment: { tags: false, datapoints: false, related: false, links: false }');
    const { alert } = await run(noTags.deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    expect(noTags.cloudwatch.calls).toEqual([]);
    expect(alert.links).toEqual([]);

    const route = setup();
    const event = repoText('events/cloudwatch-alarm/sns-metric-alarm-5xx.json').replaceAll(
      'api-prod-5xx',
      'quiet-prod-5xx',
    );
    const result = await processEventText(event, route.deps);
    expect(result.alerts[0]?.decision.receivers).toEqual(['quiet']);
    expect(route.cloudwatch.calls).toEqual([]);
  });

  it('does not fetch datapoints for a recovery, but still reads the tags that route it', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.tags[ARN] = { team: 'payments' };
    const { receivers } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx-ok.json');
    expect(cloudwatch.calls.map((c) => c.op)).toEqual(['tags']);
    expect(receivers).toEqual(['oncall', 'payments']);
  });

  it('adds CloudTrail history links for security alerts, beside the event link the normalizer gives', async () => {
    const { deps } = setup();
    const result = await processEventText(
      repoText('events/cloudtrail/eventbridge-iam-admin-policy-attached-positive.json'),
      deps,
    );
    const links = result.alerts[0]?.decision.alert.links.map((l) => l.text) ?? [];
    expect(links[0]).toBe('CloudTrail event');
    expect(links.some((text) => /^CloudTrail: .+ ±1 h$/.test(text))).toBe(true);
  });

  it('renders Slack and PagerDuty payloads within limits with everything enriched', async () => {
    const { cloudwatch, deps } = setup();
    cloudwatch.tags[ARN] = { team: 'payments' };
    cloudwatch.series = spikeSeries;
    const { alert } = await run(deps, 'cloudwatch-alarm/sns-metric-alarm-5xx.json');
    const slack = renderSlackMessage(alert);
    expect(slackMessageError(slack)).toBeUndefined();
    const text = JSON.stringify(slack);
    expect(text).toContain('*Trend:* spike');
    expect(text).toContain('threshold &gt; 5');
    expect(text).toContain('Metric graph');
    const pd = renderPagerDutyEvent(alert, 'k'.repeat(32));
    expect(pagerDutyProblems(pd)).toEqual([]);
    expect(pd.payload?.custom_details).toMatchObject({ trend: expect.stringMatching(/^spike/) });
    expect(pd.links?.map((l) => l.text)).toContain('Metric graph');

    const huge = 'x'.repeat(20_000);
    const swollen: Alert = {
      ...alert,
      annotations: {
        ...alert.annotations,
        trend: huge,
        datapoints: huge,
        related: `${huge}\n`.repeat(20),
        enrichment: huge,
      },
      links: [
        ...alert.links,
        ...Array.from({ length: 30 }, (_, i) => ({
          text: `l${i}`,
          url: `https://e.com/${'p'.repeat(2000)}${i}`,
        })),
      ],
    };
    expect(slackMessageError(renderSlackMessage(swollen))).toBeUndefined();
    const big = renderPagerDutyEvent(swollen, 'k'.repeat(32));
    expect(pagerDutyProblems(big)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(big.payload?.custom_details))).toBeLessThanOrEqual(32 * 1024);
  });
});

describe('tag cache', () => {
  it('expires entries and evicts the oldest beyond its size', () => {
    const cache = new TtlCache<number>(2, 1000);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    expect(cache.get('a', 10)).toBeUndefined();
    expect(cache.get('b', 10)).toBe(2);
    expect(cache.get('b', 1000)).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
