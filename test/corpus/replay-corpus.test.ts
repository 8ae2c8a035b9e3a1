import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/load';
import { silentObserver } from '../../shared/observability/observer';
import { type ProcessResult, processEventText } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { slackMessageError } from '../support/fake-slack';
import { REPO_ROOT, repoText } from '../support/fixtures';
import { pagerDutyProblems } from '../support/pagerduty-schema';

const config = loadConfig(repoText('klaxon.yml'));
const deps = {
  config,
  receivers: createReceivers(config.receivers, {
    secrets: new LocalSecretResolver({}),
    post: async () => {
      throw new Error('the corpus replay must not touch the network');
    },
    clock: systemClock,
    consoleSink: () => {},
  }),
  mode: 'preview' as const,
  observer: silentObserver,
  now: () => new Date('2026-03-14T10:00:00Z'),
};

type Expected = {
  outcome: ProcessResult['outcome'];
  alerts?: Array<{ severity: string; status: string; receivers: string[]; suppressed?: RegExp }>;
  reason?: RegExp;
};

const PAGE = ['oncall', 'alerts'];
const CHAT = ['alerts'];

/** What the example configuration decides for every shipped fixture. */
const EXPECTED: Record<string, Expected> = {
  'cloudwatch-alarm/alarm-action-bad-arn.json': { outcome: 'invalid', reason: /not a CloudWatch alarm ARN/ },
  'cloudwatch-alarm/alarm-action-composite.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/alarm-action-metric-alarm-5xx.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/eventbridge-composite-suppressed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: [], suppressed: /WaitPeriod/ }],
  },
  'cloudwatch-alarm/eventbridge-configuration-change.json': { outcome: 'ignored' },
  'cloudwatch-alarm/eventbridge-contributor-state-change.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudwatch-alarm/eventbridge-metric-alarm-5xx.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/eventbridge-missing-state.json': { outcome: 'invalid', reason: /state/ },
  'cloudwatch-alarm/eventbridge-muted-alarm.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: [], suppressed: /^muted by alarm mute rule/ },
    ],
  },
  'cloudwatch-alarm/sns-anomaly-detection.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudwatch-alarm/sns-composite-alarm.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/sns-cross-account-topic.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudwatch-alarm/sns-empty-records.json': { outcome: 'ignored' },
  'cloudwatch-alarm/sns-extended-statistic-p99.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/sns-insufficient-data.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudwatch-alarm/sns-malformed-message.json': { outcome: 'invalid', reason: /not valid JSON/ },
  'cloudwatch-alarm/sns-metric-alarm-5xx-ok.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'resolved', receivers: PAGE }],
  },
  'cloudwatch-alarm/sns-metric-alarm-5xx.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudwatch-alarm/sns-metric-math-error-rate.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudwatch-alarm/sns-multi-record.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'warning', status: 'resolved', receivers: CHAT },
    ],
  },
  'cloudwatch-alarm/sns-truncated-subject-non-ascii.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'sns/sns-eventbridge-event.json': { outcome: 'ignored' },
  'sns/sns-plain-text.json': { outcome: 'ignored' },
  'unrecognized/not-json.json': { outcome: 'invalid', reason: /^not JSON/ },
  'unrecognized/unknown-shape.json': { outcome: 'invalid', reason: /unrecognized event shape/ },
};

const eventsDir = join(REPO_ROOT, 'events');
const files = readdirSync(eventsDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'))
  .map((file) => relative(eventsDir, join(eventsDir, file)).split('\\').join('/'))
  .sort();

describe('fixture corpus', () => {
  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it('holds at least 15 fixtures, with every envelope variant of the alarm normalizer', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const prefix of ['sns-', 'eventbridge-', 'alarm-action-']) {
      expect(files.some((f) => f.startsWith(`cloudwatch-alarm/${prefix}`))).toBe(true);
    }
  });

  it('uses only documentation account ids', () => {
    for (const file of files) {
      const accounts = repoText(`events/${file}`).match(/\b\d{12}\b/g) ?? [];
      for (const account of accounts)
        expect(['123456789012', '111122223333', '444455556666']).toContain(account);
    }
  });

  it.each(files)('%s', async (file) => {
    const expected = EXPECTED[file];
    if (!expected) throw new Error(`no expectation for ${file}`);
    const result = await processEventText(repoText(`events/${file}`), deps);
    expect(result.outcome).toBe(expected.outcome);
    if (expected.reason) expect(result.error).toMatch(expected.reason);
    const actual = result.alerts.map((a) => ({
      severity: a.decision.alert.severity,
      status: a.decision.alert.status,
      receivers: a.decision.receivers,
      suppressed: a.decision.suppressed,
    }));
    expect(actual).toEqual(
      (expected.alerts ?? []).map((a) => ({
        ...a,
        suppressed: a.suppressed ? expect.stringMatching(a.suppressed) : undefined,
      })),
    );
    for (const outcome of [...result.alerts, ...result.notices]) {
      for (const [receiver, payload] of Object.entries(outcome.payloads)) {
        const type = config.receivers[receiver]?.type;
        if (type === 'pagerduty') expect(pagerDutyProblems(payload)).toEqual([]);
        if (type === 'slack') expect(slackMessageError(payload)).toBeUndefined();
      }
    }
    if (result.outcome === 'invalid') {
      expect(result.notices.map((n) => n.receivers)).toEqual([[config.route.receiver]]);
    }
  });
});
