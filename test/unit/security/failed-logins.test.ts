import { describe, expect, it } from 'vitest';
import {
  checkFailedLoginThreshold,
  failedLoginKey,
  InMemoryFailedLoginCounter,
} from '../../../shared/security/failed-logins';
import { splitEnvelope } from '../../../shared/sources/envelope';
import { normalizeRecord } from '../../../shared/sources/registry';
import type { AlertDraft } from '../../../shared/sources/types';
import { fixture } from '../../support/fixtures';

function failedLogin(file: string, at: string): AlertDraft {
  const [record] = splitEnvelope(fixture(`cloudtrail/${file}`));
  const result = record && normalizeRecord(record);
  if (result?.kind !== 'alerts' || !result.drafts[0]) throw new Error('expected a failed-login draft');
  return { ...result.drafts[0], startsAt: at };
}

const policy = { threshold: 3, windowMs: 6 * 60_000 };
const now = new Date('2026-03-14T10:00:00Z');
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 2, 14, 9, minute, second)).toISOString();

describe('InMemoryFailedLoginCounter', () => {
  it('counts within a sliding window per key', async () => {
    const counter = new InMemoryFailedLoginCounter();
    const window = 60_000;
    expect(await counter.record('a', new Date(0), window)).toBe(1);
    expect(await counter.record('a', new Date(30_000), window)).toBe(2);
    expect(await counter.record('b', new Date(30_000), window)).toBe(1);
    expect(await counter.record('a', new Date(60_000), window)).toBe(2);
    expect(await counter.record('a', new Date(200_000), window)).toBe(1);
  });

  it('holds a bounded number of keys', async () => {
    const counter = new InMemoryFailedLoginCounter(2);
    await counter.record('a', new Date(0), 60_000);
    await counter.record('b', new Date(0), 60_000);
    await counter.record('c', new Date(0), 60_000);
    expect(await counter.record('a', new Date(1), 60_000)).toBe(1);
  });
});

describe('checkFailedLoginThreshold', () => {
  it('raises one escalated alert when the count reaches the threshold, and again only after the window slides', async () => {
    const counter = new InMemoryFailedLoginCounter();
    const file = 'eventbridge-cis-cloudwatch-6-console-auth-failures-positive.json';
    const results = [];
    for (const [minute, second] of [
      [41, 0],
      [42, 0],
      [43, 0],
      [44, 0],
      [55, 0],
      [56, 0],
      [57, 0],
    ] as const) {
      results.push(
        await checkFailedLoginThreshold(failedLogin(file, at(minute, second)), counter, policy, now),
      );
    }
    expect(results.map((r) => r !== undefined)).toEqual([false, false, true, false, false, false, true]);
    const escalated = results[2];
    expect(escalated?.labels).toMatchObject({
      aggregate: 'threshold',
      detection: 'cis-cloudwatch-6-console-auth-failures',
      identityType: 'IAMUser',
    });
    expect(escalated?.severityHint).toEqual({ word: 'warning', from: 'failed sign-in threshold' });
    expect(escalated?.annotations.summary).toBe(
      '3 failed console sign-ins for arn:aws:iam::123456789012:user/bob from 192.0.2.200 in 123456789012 within 6 min',
    );
    expect(escalated?.fingerprint).toBe(
      'cis-cloudwatch-6-console-auth-failures|threshold|arn:aws:iam::123456789012:user/bob|123456789012|192.0.2.200',
    );
    expect(escalated?.transitionId).toMatch(/\|threshold$/);
  });

  it('counts masked user names per account and IP, and escalates root failures to error', async () => {
    const counter = new InMemoryFailedLoginCounter();
    const masked = failedLogin(
      'eventbridge-cis-cloudwatch-6-console-auth-failures-positive-masked-user-name.json',
      at(41),
    );
    expect(failedLoginKey(masked)).toBe('123456789012|masked-user-name|192.0.2.200');
    const root = failedLogin('eventbridge-cis-cloudwatch-1-root-usage-negative-failed-login.json', at(41));
    let last;
    for (let i = 0; i < policy.threshold; i++)
      last = await checkFailedLoginThreshold(root, counter, policy, now);
    expect(last?.severityHint?.word).toBe('error');
    expect(last?.annotations.summary).toContain('for the root account');
  });

  it('does not count other detections', async () => {
    const counter = new InMemoryFailedLoginCounter();
    const [record] = splitEnvelope(
      fixture('cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json'),
    );
    const result = record && normalizeRecord(record);
    if (result?.kind !== 'alerts') throw new Error('expected alerts');
    for (const draft of result.drafts)
      expect(
        await checkFailedLoginThreshold(draft, counter, { threshold: 1, windowMs: 1 }, now),
      ).toBeUndefined();
  });
});
