import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../../shared/alert/caps';
import { fitAlert, MEMBER_MAX_BYTES } from '../../../shared/alert/fit';
import { type DeliveryJob, fitJob, JOB_MAX_BYTES, parseDeliveryJob } from '../../../shared/delivery/jobs';
import { escapeAndTruncate, truncate } from '../../../shared/receivers/text';
import {
  renderWebhookBody,
  renderWebhookGroupBody,
  WEBHOOK_BODY_MAX_BYTES,
} from '../../../shared/receivers/webhook/render';
import { testAlert } from '../../support/delivery-fakes';

/** An alert at the parse-time caps: 64 labels of 1 KB, ten 4 KB annotations of 4-byte characters. */
function atTheCaps(n: number) {
  const alert = testAlert(n);
  return {
    ...alert,
    labels: {
      ...alert.labels,
      ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`tag${i}`, 'v'.repeat(1024)])),
    },
    annotations: {
      summary: `ALARM ${n}`,
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`note${i}`, '😀'.repeat(1024)])),
    },
  };
}

const lonePairHalf = (text: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('every queue job fits one SQS message', () => {
  it('cuts a group of 100 alerts at the caps to what fits, counting every alert', () => {
    const job: DeliveryJob = {
      kind: 'deliver',
      key: 'group#g|chat',
      receiver: 'chat',
      alerts: Array.from({ length: 100 }, (_, i) => atTheCaps(i)),
      group: { route: 'r', labels: {}, status: 'firing', total: 5000 },
      attempt: 1,
      lastError: 'x'.repeat(100_000),
    };
    const fitted = fitJob(job);
    const body = JSON.stringify(fitted);
    expect(utf8Bytes(body)).toBeLessThanOrEqual(JOB_MAX_BYTES);
    expect(fitted.kind === 'deliver' && fitted.alerts.length).toBeGreaterThan(1);
    expect(fitted.kind === 'deliver' && fitted.group?.total).toBe(5000);
    expect(lonePairHalf(body)).toBe(false);
    expect(parseDeliveryJob(body)).toMatchObject({ kind: 'deliver', attempt: 1 });
  });

  it('fits a single alert of any size, keeping its identity and summary', () => {
    const huge = {
      ...atTheCaps(1),
      annotations: { summary: 'S'.repeat(300_000), description: 'd'.repeat(900_000) },
    };
    const fitted = fitJob({ kind: 'deliver', key: 'k', receiver: 'chat', alerts: [huge], attempt: 0 });
    expect(utf8Bytes(JSON.stringify(fitted))).toBeLessThanOrEqual(JOB_MAX_BYTES);
    const alert = fitted.kind === 'deliver' ? fitted.alerts[0] : undefined;
    expect(alert?.transitionId).toBe(huge.transitionId);
    expect(alert?.annotations.summary.startsWith('SSS')).toBe(true);
    expect(utf8Bytes(JSON.stringify(alert))).toBeLessThanOrEqual(MEMBER_MAX_BYTES);
  });

  it('leaves a job that fits as it is', () => {
    const job: DeliveryJob = {
      kind: 'deliver',
      key: 'k',
      receiver: 'chat',
      alerts: [testAlert(1)],
      attempt: 0,
    };
    expect(fitJob(job)).toEqual(job);
    expect(fitAlert(testAlert(1), MEMBER_MAX_BYTES)).toEqual(testAlert(1));
  });
});

describe('webhook bodies stay within 256 KB', () => {
  it('lists as many alerts of a group as fit and says how many there are', () => {
    const alerts = Array.from({ length: 100 }, (_, i) => atTheCaps(i));
    const body = renderWebhookGroupBody(
      { route: 'r', labels: {}, status: 'firing', alerts, total: 900 },
      'hook',
    );
    const text = JSON.stringify(body);
    expect(utf8Bytes(text)).toBeLessThanOrEqual(WEBHOOK_BODY_MAX_BYTES);
    expect(body.group).toMatchObject({ size: 900 });
    expect((body.alerts as unknown[]).length).toBe((body.group as { listed: number }).listed);
    expect(lonePairHalf(text)).toBe(false);
  });

  it('keeps a small group whole, with no `listed` field', () => {
    const body = renderWebhookGroupBody(
      { route: 'r', labels: {}, status: 'firing', alerts: [testAlert(1), testAlert(2)] },
      'hook',
    );
    expect(body.group).toEqual({ route: 'r', labels: {}, status: 'firing', size: 2 });
  });

  it('cuts one oversized alert to fit', () => {
    const huge = { ...atTheCaps(1), annotations: { summary: 'x', description: 'y'.repeat(2_000_000) } };
    expect(utf8Bytes(JSON.stringify(renderWebhookBody(huge, 'hook')))).toBeLessThanOrEqual(
      WEBHOOK_BODY_MAX_BYTES,
    );
  });
});

describe('truncation never splits a code point', () => {
  it('drops a whole emoji rather than half of it', () => {
    for (let max = 2; max < 12; max++) {
      expect(lonePairHalf(truncate('😀'.repeat(10), max))).toBe(false);
      expect(lonePairHalf(escapeAndTruncate(`a${'😀'.repeat(10)}`, max))).toBe(false);
    }
  });
});
