import type { AlertDraft } from '../../shared/sources/types';

/** A CloudWatch alarm draft (`api-5xx`, documentation account), with the given fields replaced. */
export function alarmDraft(overrides: Partial<AlertDraft> = {}): AlertDraft {
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: 'api-5xx',
    },
    annotations: { summary: 'ALARM: api-5xx' },
    status: 'firing',
    fingerprint: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx',
    transitionId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx|ALARM|1',
    startsAt: '2026-03-14T10:00:00.000Z',
    observedAt: '2026-03-14T10:00:00.000Z',
    path: 'sns',
    links: [],
    raw: { AlarmName: 'api-5xx' },
    partition: 'aws',
    ...overrides,
  } as AlertDraft;
}
