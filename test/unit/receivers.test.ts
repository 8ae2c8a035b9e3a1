import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alert/alert';
import { DeliveryError } from '../../shared/errors';
import { checkStatus, retryAfterMillis } from '../../shared/receivers/http';
import { renderPagerDutyEvent } from '../../shared/receivers/pagerduty/render';
import { withRetry } from '../../shared/receivers/retry';
import {
  renderSlackGroupMessage,
  renderSlackMessage,
  SLACK_LIMITS,
} from '../../shared/receivers/slack/render';
import { escapeAndTruncate, escapeMrkdwn, truncate } from '../../shared/receivers/text';
import { isAllowedWebhookUrl } from '../../shared/receivers/webhook/render';
import { slackMessageError } from '../support/fake-slack';
import { pagerDutyProblems } from '../support/pagerduty-schema';

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: 'api-prod-5xx',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
      state: 'ALARM',
      previousState: 'OK',
      alarmKind: 'metric',
    },
    annotations: {
      summary: 'ALARM: api-prod-5xx (HTTPCode_Target_5XX_Count > 5) in 123456789012/us-east-1',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [15.0] was greater than the threshold (5.0).',
      runbookUrl: 'https://runbooks.example.com/api-5xx',
      consoleUrl:
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/api-prod-5xx',
    },
    severity: 'critical',
    status: 'firing',
    fingerprint: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
    transitionId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx|ALARM|1773481267123',
    startsAt: '2026-03-14T09:41:07.123Z',
    observedAt: '2026-03-14T09:41:07.350Z',
    path: 'sns',
    metric: {
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      statistic: 'Sum',
      dimensions: { LoadBalancer: 'app/api-prod/50dc6c495c0c9188' },
      threshold: 5,
      comparisonOperator: 'GreaterThanThreshold',
    },
    links: [],
    raw: {},
    ...overrides,
  };
}

const huge = 'x<&>'.repeat(5000);

function hugeAlert(): Alert {
  const base = alert();
  return alert({
    labels: { ...base.labels, alarmName: `alarm-${'n'.repeat(250)}`, team: huge, service: huge },
    annotations: {
      ...base.annotations,
      summary: huge,
      reason: huge,
      description: huge,
      triggeringAlarms: huge,
      severityNote: huge,
      evaluationState: huge,
    },
    metric: {
      ...base.metric,
      dimensions: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`Dim${i}`, huge])),
    },
    links: Array.from({ length: 40 }, (_, i) => ({
      text: `link ${i} ${'t'.repeat(100)}`,
      url: `https://example.com/${i}`,
    })),
  });
}

describe('text helpers', () => {
  it('truncates with a marker and leaves short text alone', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('escapes Slack control characters', () => {
    expect(escapeMrkdwn('<!channel> & <https://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;https://x|y&gt;');
  });

  it('never cuts an escape sequence in half', () => {
    const cut = escapeAndTruncate('aaaa&bbbb', 7);
    expect(cut).toBe('aaaa…');
    expect(cut.length).toBeLessThanOrEqual(7);
  });
});

describe('Slack rendering', () => {
  it('renders severity, alarm, account/region, reason, fields and link buttons', () => {
    const message = renderSlackMessage(alert());
    expect(slackMessageError(message)).toBeUndefined();
    const text = JSON.stringify(message);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: ':red_circle: CRITICAL api-prod-5xx' },
    });
    expect(text).toContain('123456789012');
    expect(text).toContain('us-east-1');
    expect(text).toContain('Threshold Crossed');
    expect(text).toContain('LoadBalancer=app/api-prod/50dc6c495c0c9188');
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { text: { text: 'Runbook' }, url: 'https://runbooks.example.com/api-5xx' },
        { text: { text: 'Open in console' } },
      ],
    });
  });

  it('renders a distinct recovery message', () => {
    const message = renderSlackMessage(
      alert({ status: 'resolved', labels: { ...alert().labels, state: 'OK', previousState: 'ALARM' } }),
    );
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: ':large_green_circle: RESOLVED api-prod-5xx' },
    });
    expect(JSON.stringify(message)).toContain('ALARM → OK');
  });

  it('shows the context an annotate rule added (a deployment in progress), in Slack and PagerDuty', () => {
    const context =
      'during: ECS deployment ecs-svc/123 of checkout in progress (since 09:40 UTC, rule deploys)';
    const firing = alert({ annotations: { ...alert().annotations, context } });
    expect(JSON.stringify(renderSlackMessage(firing).blocks[2])).toContain(`:construction: ${context}`);
    expect(renderPagerDutyEvent(firing, 'KEY').payload?.custom_details).toMatchObject({ context: [context] });
    expect(JSON.stringify(renderSlackMessage(alert())).includes(':construction:')).toBe(false);
  });

  it('cuts PagerDuty custom_details strings to 4,000 characters only when one is longer, and keeps the rest whole', () => {
    const details = (description: string) =>
      renderPagerDutyEvent(alert({ annotations: { ...alert().annotations, description } }), 'KEY').payload
        ?.custom_details as Record<string, unknown>;
    for (const length of [3_990, 3_999, 4_000]) {
      const text = 'x'.repeat(length);
      expect(details(text).description).toBe(text);
    }
    const long = details('y'.repeat(4_001)).description as string;
    expect(long).toHaveLength(4_000);
    expect(long.endsWith('…')).toBe(true);
    // Many fields of 3,999 characters together pass the 32 KB budget: the next cut applies to all.
    const labels = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'z'.repeat(3_999)]));
    const crowded = renderPagerDutyEvent(alert({ labels: { ...alert().labels, ...labels } }), 'KEY').payload
      ?.custom_details as { labels: Record<string, string> };
    expect(crowded.labels.l0).toHaveLength(1_000);
    expect(Buffer.byteLength(JSON.stringify(crowded))).toBeLessThanOrEqual(32 * 1024);
  });

  it('keeps the annotate note on each line of a grouped (storm) message', () => {
    const context = 'during: CodeDeploy deployment d-1 of checkout started (since 09:40 UTC, rule deploys)';
    const message = renderSlackGroupMessage({
      route: 'chat',
      labels: { region: 'us-east-1' },
      status: 'firing',
      alerts: [alert({ annotations: { ...alert().annotations, context } }), alert()],
    });
    expect(slackMessageError(message)).toBeUndefined();
    expect(JSON.stringify(message)).toContain(`_(${context})_`);
  });

  it('escapes event text for mrkdwn', () => {
    const message = renderSlackMessage(
      alert({ annotations: { summary: '<!here> pwned & <https://evil|click>' } }),
    );
    const section = JSON.stringify(message.blocks[1]);
    expect(section).not.toContain('<!here>');
    expect(section).toContain('&lt;!here&gt;');
  });

  it('keeps every Block Kit limit with oversized input instead of being rejected', () => {
    const message = renderSlackMessage(hugeAlert());
    expect(slackMessageError(message)).toBeUndefined();
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(JSON.stringify(message.blocks).length).toBeLessThan(13_200);
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header?.type === 'header' && header.text.text.endsWith('…')).toBe(true);
  });
});

describe('PagerDuty rendering', () => {
  it('renders a trigger that satisfies the published schema and documented limits', () => {
    const event = renderPagerDutyEvent(alert(), 'R0UT1NGK3Y0000000000000000000000');
    expect(pagerDutyProblems(event)).toEqual([]);
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
      payload: {
        severity: 'critical',
        source: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
        custom_details: {
          reason: expect.stringContaining('Threshold Crossed'),
          metric: 'AWS/ApplicationELB / HTTPCode_Target_5XX_Count / Sum',
          threshold: 'GreaterThanThreshold 5',
          dimensions: { LoadBalancer: 'app/api-prod/50dc6c495c0c9188' },
        },
      },
      links: [
        { href: 'https://runbooks.example.com/api-5xx', text: 'Runbook' },
        { href: expect.stringContaining('console.aws.amazon.com'), text: 'Open in AWS console' },
      ],
    });
  });

  it('resolves with the same dedup_key and routing key', () => {
    const trigger = renderPagerDutyEvent(alert(), 'KEY');
    const resolve = renderPagerDutyEvent(alert({ status: 'resolved' }), 'KEY');
    expect(resolve).toEqual({ routing_key: 'KEY', event_action: 'resolve', dedup_key: trigger.dedup_key });
    expect(pagerDutyProblems(resolve)).toEqual([]);
  });

  it('keeps oversized input within the limits', () => {
    const longFingerprint = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'z'.repeat(300)}`;
    const event = renderPagerDutyEvent({ ...hugeAlert(), fingerprint: longFingerprint }, 'KEY');
    expect(pagerDutyProblems(event)).toEqual([]);
    expect(event.payload?.summary.length).toBe(1024);
  });

  it('the schema check catches what PagerDuty would reject', () => {
    expect(
      pagerDutyProblems({
        routing_key: 'k',
        event_action: 'trigger',
        payload: { summary: 's', source: 'x', severity: 'fatal' },
      }),
    ).not.toEqual([]);
    expect(pagerDutyProblems({ routing_key: 'k', event_action: 'resolve' })).toContain(
      'dedup_key required for acknowledge/resolve',
    );
    expect(
      pagerDutyProblems({
        routing_key: 'k',
        event_action: 'trigger',
        payload: { summary: 's', source: 'x', severity: 'info' },
        links: [{ href: 'not a url' }],
      }),
    ).not.toEqual([]);
  });
});

describe('webhook URL policy', () => {
  it.each([
    ['https://hooks.example.com/x', true],
    ['http://127.0.0.1:8080/x', true],
    ['http://localhost/x', true],
    ['http://[::1]:9/x', true],
    ['http://hooks.example.com/x', false],
    ['ftp://example.com', false],
    ['not a url', false],
  ])('%s allowed: %s', (url, allowed) => {
    expect(isAllowedWebhookUrl(url)).toBe(allowed);
  });
});

describe('HTTP classification and retry', () => {
  const response = (status: number, body = '') => ({ status, headers: new Headers(), body });

  it('treats 429 and 5xx as retryable and other 4xx as permanent', () => {
    expect(() => checkStatus(response(202), 'PagerDuty', [202])).not.toThrow();
    for (const [status, retryable] of [
      [429, true],
      [500, true],
      [503, true],
      [400, false],
      [404, false],
      [410, false],
    ] as const) {
      try {
        checkStatus(response(status, 'invalid_payload'), 'Slack', [200]);
        throw new Error('expected a failure');
      } catch (error) {
        expect(error).toBeInstanceOf(DeliveryError);
        expect((error as DeliveryError).retryable).toBe(retryable);
        expect((error as DeliveryError).message).toBe(`Slack answered HTTP ${status}: invalid_payload`);
      }
    }
  });

  it('parses Retry-After in seconds and as a date', () => {
    expect(retryAfterMillis('3', 0)).toBe(3000);
    expect(retryAfterMillis('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMillis(null, 0)).toBeUndefined();
    expect(retryAfterMillis('soon', 0)).toBeUndefined();
  });

  function fakeClock() {
    let now = 0;
    const waits: number[] = [];
    return {
      waits,
      clock: {
        now: () => now,
        sleep: async (ms: number) => {
          waits.push(ms);
          now += ms;
        },
      },
    };
  }

  it('retries retryable failures with backoff, honouring Retry-After', async () => {
    const { clock, waits } = fakeClock();
    const failures = [
      new DeliveryError('429', true, 429, { retryAfterMs: 2000 }),
      new DeliveryError('503', true, 503),
    ];
    const result = await withRetry(
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 10_000 },
      clock,
    );
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    expect(waits).toEqual([2000, 200]);
  });

  it('does not retry permanent failures', async () => {
    const { clock, waits } = fakeClock();
    const result = await withRetry(
      async () => {
        throw new DeliveryError('400', false, 400);
      },
      { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 10_000 },
      clock,
    );
    expect(result.attempts).toBe(1);
    expect(waits).toEqual([]);
  });

  it('gives up rather than wait beyond its time budget', async () => {
    const { clock, waits } = fakeClock();
    const result = await withRetry(
      async () => {
        throw new DeliveryError('429', true, 429, { retryAfterMs: 60_000 });
      },
      { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 10_000 },
      clock,
    );
    expect(result.attempts).toBe(1);
    expect(result.error?.status).toBe(429);
    expect(waits).toEqual([]);
  });
});
