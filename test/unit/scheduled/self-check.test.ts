import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { DeliveryIncompleteError } from '../../../shared/delivery/dispatcher';
import {
  alarmRulePrefix,
  type DoctorPort,
  type Finding,
  type RuleFacts,
  securityRuleName,
} from '../../../shared/onboarding/doctor';
import type { PipelineObserver } from '../../../shared/observability/observer';
import {
  findingFingerprint,
  planSelfCheck,
  runSelfCheck,
  SELF_CHECK_RECORD,
  type SelfCheckRecord,
  type SelfCheckScope,
  selectFindings,
} from '../../../shared/scheduled/self-check';
import { buildSecurityRules } from '../../../shared/security/rules';
import { fakeDeliveringPipeline, manualClock, ScriptedReceiver } from '../../support/delivery-fakes';

const SCOPE: SelfCheckScope = {
  stage: 'prod',
  account: '123456789012',
  region: 'us-east-1',
  minimum: 'warning',
  runAt: '2026-03-14T07:00:00.000Z',
};

const TRAIL_OFF: Finding = {
  check: 'trail',
  severity: 'error',
  message: 'trail org is not logging',
  fix: 'aws cloudtrail start-logging --name org',
};
const NO_VALIDATION: Finding = {
  check: 'trail',
  severity: 'warning',
  message: 'trail org has no log file validation',
  fix: 'aws cloudtrail update-trail --name org --enable-log-file-validation',
};
const SECRET_MISSING: Finding = {
  check: 'secrets',
  severity: 'error',
  message:
    'secret slack-alerts (receivers.chat.webhookUrl) is missing: no parameter /klaxon/prod/slack-alerts',
  fix: 'aws ssm put-parameter …',
};
const TRAIL_BLIND: Finding = {
  check: 'trail',
  severity: 'warning',
  message:
    'could not check CloudTrail trails: AccessDeniedException: not authorized to perform cloudtrail:DescribeTrails',
  fix: 'Run with credentials that may read it.',
};
const NOTE: Finding = { check: 'rules', severity: 'info', message: 'not us-east-1' };
const OK: Finding = {
  check: 'topic',
  severity: 'ok',
  message: 'CloudWatch may publish to klaxon-prod-alarms',
};

describe('self-check: which findings become alerts', () => {
  it('takes errors and warnings at minimum warning, errors only at minimum error, never info or ok', () => {
    const all = [TRAIL_OFF, NO_VALIDATION, SECRET_MISSING, NOTE, OK];
    expect(selectFindings(all, 'warning')).toEqual([TRAIL_OFF, NO_VALIDATION, SECRET_MISSING]);
    expect(selectFindings(all, 'error')).toEqual([TRAIL_OFF, SECRET_MISSING]);
  });

  it('always reports a "could not check" finding, whatever the minimum (its IAM or the API is wrong)', () => {
    expect(selectFindings([TRAIL_BLIND, NO_VALIDATION], 'error')).toEqual([TRAIL_BLIND]);
  });
});

describe('self-check: finding to alert', () => {
  it('maps a finding onto a klaxon self-check draft: labels, severity word, summary, fix', () => {
    const { drafts } = planSelfCheck([TRAIL_OFF], undefined, SCOPE);
    expect(drafts).toHaveLength(1);
    const [draft] = drafts;
    expect(draft?.labels).toEqual({
      source: 'klaxon',
      kind: 'self-check',
      check: 'trail',
      account: '123456789012',
      region: 'us-east-1',
      stage: 'prod',
    });
    expect(draft?.severityHint).toEqual({ word: 'error', from: 'klaxon doctor' });
    expect(draft?.status).toBe('firing');
    expect(draft?.annotations.summary).toBe('trail org is not logging');
    expect(draft?.annotations.fix).toBe('aws cloudtrail start-logging --name org');
    expect(draft?.fingerprint).toMatch(/^klaxon:self-check:prod:trail:[0-9a-f]{20}$/);
    expect(draft?.transitionId).toBe(`${draft?.fingerprint}|firing|${SCOPE.runAt}`);
  });

  it('keeps the fingerprint stable per stage, check and message', () => {
    const fp = findingFingerprint(TRAIL_OFF, SCOPE);
    const reworded: Finding = { ...TRAIL_OFF, severity: 'warning', fix: 'another fix' };
    expect(findingFingerprint(reworded, { ...SCOPE, runAt: 'later' })).toBe(fp);
    expect(findingFingerprint({ ...TRAIL_OFF, message: 'trail other is not logging' }, SCOPE)).not.toBe(fp);
    expect(findingFingerprint({ ...TRAIL_OFF, check: 'rules' }, SCOPE)).not.toBe(fp);
    expect(findingFingerprint(TRAIL_OFF, { ...SCOPE, stage: 'staging' })).not.toBe(fp);
  });
});

describe('self-check: what changed since the last run', () => {
  const later = { ...SCOPE, runAt: '2026-03-15T07:00:00.000Z' };

  it('raises new findings once, resolves vanished ones, and stays quiet about persisting ones', () => {
    const first = planSelfCheck([TRAIL_OFF, SECRET_MISSING], undefined, SCOPE);
    expect(first.drafts.map((d) => `${d.status} ${d.annotations.summary}`)).toEqual([
      'firing trail org is not logging',
      `firing ${SECRET_MISSING.message}`,
    ]);
    const second = planSelfCheck([TRAIL_OFF], first.next, later);
    expect(second.drafts.map((d) => `${d.status} ${d.annotations.summary}`)).toEqual([
      `resolved ${SECRET_MISSING.message}`,
    ]);
    const resolved = second.drafts[0];
    expect(resolved?.fingerprint).toBe(first.drafts[1]?.fingerprint);
    expect(resolved?.transitionId).toBe(`${resolved?.fingerprint}|resolved|${later.runAt}`);
    expect(second.next.findings.map((f) => [f.message, f.since])).toEqual([[TRAIL_OFF.message, SCOPE.runAt]]);
    expect(planSelfCheck([TRAIL_OFF], second.next, later).drafts).toEqual([]);
  });

  it('resolves a finding that fell below a raised minimum', () => {
    const first = planSelfCheck([NO_VALIDATION], undefined, SCOPE);
    const second = planSelfCheck([NO_VALIDATION], first.next, { ...later, minimum: 'error' });
    expect(second.drafts.map((d) => d.status)).toEqual(['resolved']);
  });

  it('keeps the earlier findings of a check that could not run open, and resolves the blind spot once it can', () => {
    const first = planSelfCheck([TRAIL_OFF, SECRET_MISSING], undefined, SCOPE);
    const blind = planSelfCheck([TRAIL_BLIND], first.next, later);
    expect(blind.drafts.map((d) => `${d.status} ${d.labels.check}`)).toEqual([
      'firing trail',
      'resolved secrets',
    ]);
    expect(blind.carried.map((f) => f.message)).toEqual([TRAIL_OFF.message]);
    const sight = planSelfCheck([TRAIL_OFF], blind.next, { ...later, runAt: '2026-03-16T07:00:00.000Z' });
    expect(sight.drafts.map((d) => `${d.status} ${d.annotations.summary}`)).toEqual([
      `resolved ${TRAIL_BLIND.message}`,
    ]);
  });
});

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms';

/** A healthy account; override what a test breaks. */
function port(overrides: Partial<DoctorPort> = {}): DoctorPort {
  const rules: RuleFacts[] = [
    { name: `${alarmRulePrefix('prod')}2`, state: 'ENABLED' },
    ...buildSecurityRules().rules.map((r) => ({ name: securityRuleName('prod', r.id), state: r.state })),
  ];
  return {
    region: 'us-east-1',
    sensitiveBuckets: async () => [],
    describeTrails: async () => [
      {
        name: 'org',
        arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org',
        multiRegion: true,
        logFileValidation: true,
        kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1',
      },
    ],
    trailIsLogging: async () => true,
    eventSelectors: async () => ({
      selectors: [{ includeManagementEvents: true, readWriteType: 'All' }],
      advanced: [],
    }),
    listRules: async () => rules,
    findTopic: async () => ({
      arn: TOPIC,
      policy: JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: TOPIC,
          },
        ],
      }),
    }),
    describeAlarms: async () => [],
    parameterExists: async () => true,
    ...overrides,
  };
}

function harness(selfCheck = 'selfCheck: {}') {
  const config = loadConfig(`
receivers:
  chat: { type: slack, webhookUrl: { ssm: slack-alerts } }
  pager: { type: pagerduty, routingKey: { ssm: pagerduty-oncall } }
route:
  receiver: chat
  routes:
    - name: page-errors
      match: { source: klaxon, kind: self-check, severity: error }
      receiver: pager
${selfCheck}
`);
  const clock = manualClock(Date.parse(SCOPE.runAt) + 60_000);
  const receivers = {
    chat: new ScriptedReceiver('chat', 'slack', false),
    pager: new ScriptedReceiver('pager', 'pagerduty', false),
  };
  const counts: string[] = [];
  const observer: PipelineObserver = {
    span: (_n, work) => work(),
    count: (name, dims) => counts.push(`${name}${JSON.stringify(dims)}`),
    timing: () => {},
    note: () => {},
    decided: () => {},
    rejected: () => {},
    flush: () => {},
  };
  const { deps: pipeline, store, queue } = fakeDeliveringPipeline(config, receivers, { clock, observer });
  const secrets = [{ name: 'slack-alerts', path: 'receivers.chat.webhookUrl' }];
  const scheduled = (day: number) => ({
    id: `run-${day}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    region: 'us-east-1',
    time: `2026-03-${String(14 + day).padStart(2, '0')}T07:00:00Z`,
    detail: {},
  });
  return { pipeline, receivers, store, queue, counts, secrets, scheduled, advance: clock.advance };
}

describe('self-check: run', () => {
  it('routes findings through the route tree with their severity, then resolves what was fixed', async () => {
    const h = harness();
    const broken = port({
      trailIsLogging: async () => false,
      parameterExists: async () => false,
      describeTrails: async () => [
        {
          name: 'org',
          arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org',
          multiRegion: true,
          logFileValidation: false,
          kmsKeyId: 'k',
        },
      ],
    });
    const first = await runSelfCheck(h.scheduled(0), {
      pipeline: h.pipeline,
      port: broken,
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(first).toMatchObject({ outcome: 'checked', reported: 3, raised: 3, resolved: 0 });
    expect(h.receivers.pager.sent.map((a) => `${a.severity} ${a.annotations.summary}`)).toEqual([
      'error trail org is not logging',
      expect.stringMatching(/^error secret slack-alerts .* is missing/),
    ]);
    // Errors match the paging route; the warning falls through to the catch-all.
    expect(h.receivers.chat.sent.map((a) => `${a.severity} ${a.annotations.summary}`)).toEqual([
      'warning trail org has no log file validation (tampering with its logs would go unnoticed)',
    ]);
    expect(h.counts.filter((c) => c.startsWith('SelfCheckFindings'))).toEqual([
      'SelfCheckFindings{"severity":"error"}',
      'SelfCheckFindings{"severity":"warning"}',
      'SelfCheckFindings{"severity":"error"}',
    ]);
    const saved = await h.store.loadRecord<SelfCheckRecord>(SELF_CHECK_RECORD);
    expect(saved?.findings).toHaveLength(3);

    // A retry of the same run (Lambda's async retry) sends nothing new.
    await runSelfCheck(h.scheduled(0), {
      pipeline: h.pipeline,
      port: broken,
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(h.receivers.chat.sent).toHaveLength(1);
    expect(h.receivers.pager.sent).toHaveLength(2);

    const fixed = await runSelfCheck(h.scheduled(1), {
      pipeline: h.pipeline,
      port: port(),
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(fixed).toMatchObject({ reported: 0, raised: 0, resolved: 3 });
    expect(h.receivers.pager.sent.slice(2).map((a) => `${a.status} ${a.labels.check}`)).toEqual([
      'resolved trail',
      'resolved secrets',
    ]);
    expect(h.receivers.chat.sent.slice(1).map((a) => `${a.status} ${a.labels.check}`)).toEqual([
      'resolved trail',
    ]);
    expect((await h.store.loadRecord<SelfCheckRecord>(SELF_CHECK_RECORD))?.findings).toEqual([]);
  });

  it('reports a call it is not allowed to make, even at minimum error', async () => {
    const h = harness('selfCheck: { minimum: error }');
    const denied = port({
      describeTrails: async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudtrail:DescribeTrails'), {
          name: 'AccessDeniedException',
        });
      },
    });
    const result = await runSelfCheck(h.scheduled(0), {
      pipeline: h.pipeline,
      port: denied,
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(result).toMatchObject({ reported: 1, raised: 1 });
    expect(h.receivers.chat.sent.map((a) => `${a.severity} ${a.annotations.summary}`)).toEqual([
      'warning could not check CloudTrail trails: AccessDeniedException: User is not authorized to perform: cloudtrail:DescribeTrails',
    ]);
  });

  it('does not remember a run whose deliveries could not be finished nor queued (Lambda retries it)', async () => {
    const h = harness();
    h.receivers.pager.script.push({ outcome: 'failed', retryable: true, error: 'HTTP 503' });
    h.queue.failing = true;
    const broken = port({ trailIsLogging: async () => false });
    await expect(
      runSelfCheck(h.scheduled(0), { pipeline: h.pipeline, port: broken, stage: 'prod', secrets: h.secrets }),
    ).rejects.toBeInstanceOf(DeliveryIncompleteError);
    expect(await h.store.loadRecord(SELF_CHECK_RECORD)).toBeUndefined();
    h.queue.failing = false;
    h.advance(60_000); // Lambda retries an async invocation after about a minute: the claim's lease has run out.
    await runSelfCheck(h.scheduled(0), {
      pipeline: h.pipeline,
      port: broken,
      stage: 'prod',
      secrets: h.secrets,
    });
    // The failed hand-off may have gone through, so the retry hands the page to the successor job
    // both would share (one claim); the retry worker sends it.
    for (const { job } of h.queue.drain()) await h.pipeline.dispatcher?.runJob(job);
    expect(h.receivers.pager.sent.map((a) => `${a.transitionId} ${a.annotations.summary}`)).toEqual([
      expect.stringMatching(/\|firing\|2026-03-14T07:00:00.000Z trail org is not logging$/),
      expect.stringMatching(/\|firing\|2026-03-14T07:00:00.000Z trail org is not logging$/),
    ]);
    expect((await h.store.loadRecord<SelfCheckRecord>(SELF_CHECK_RECORD))?.findings).toHaveLength(1);
  });

  it('does nothing when selfCheck is not configured', async () => {
    const h = harness('');
    const result = await runSelfCheck(h.scheduled(0), {
      pipeline: h.pipeline,
      port: port({ trailIsLogging: async () => false }),
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(result.outcome).toBe('disabled');
    expect(h.receivers.chat.sent).toEqual([]);
  });
});

describe('self-check: findings whose message embeds counts', () => {
  const later = { ...SCOPE, runAt: '2026-03-15T07:00:00.000Z' };
  const missing = (count: number): Finding => ({
    check: 'rules',
    severity: 'error',
    message: `${count} of 40 security rules missing in us-east-1: …`,
    subject: 'security-rules-missing',
    fix: 'npx serverless deploy --stage prod --region us-east-1',
  });

  it('fingerprints on the subject when there is one, else on the message', () => {
    expect(findingFingerprint(missing(5), SCOPE)).toBe(findingFingerprint(missing(3), SCOPE));
    const { subject: _subject, ...bare } = missing(3);
    expect(findingFingerprint(bare, SCOPE)).not.toBe(
      findingFingerprint({ ...bare, message: '5 of 40…' }, SCOPE),
    );
    expect(findingFingerprint({ ...missing(3), subject: 'security-rules-disabled' }, SCOPE)).not.toBe(
      findingFingerprint(missing(3), SCOPE),
    );
    expect(findingFingerprint(missing(3), { ...SCOPE, region: 'eu-west-1' })).not.toBe(
      findingFingerprint(missing(3), SCOPE),
    );
  });

  it('keeps the same subject open when its count changes: no resolve, no new alert', () => {
    const first = planSelfCheck([missing(3)], undefined, SCOPE);
    expect(first.drafts.map((d) => d.status)).toEqual(['firing']);
    const second = planSelfCheck([missing(5)], first.next, later);
    expect(second.drafts).toEqual([]);
    expect(second.next.findings).toEqual([
      expect.objectContaining({
        fingerprint: first.drafts[0]?.fingerprint,
        message: missing(5).message,
        since: SCOPE.runAt,
      }),
    ]);
    const fixed = planSelfCheck([], second.next, { ...later, runAt: '2026-03-16T07:00:00.000Z' });
    expect(fixed.drafts.map((d) => `${d.status} ${d.fingerprint}`)).toEqual([
      `resolved ${first.drafts[0]?.fingerprint}`,
    ]);
  });

  it('a run through the doctor: more rules missing the next day is the same open alert', async () => {
    const h = harness();
    const withMissing = (count: number) =>
      port({
        listRules: async () => [
          { name: `${alarmRulePrefix('prod')}2`, state: 'ENABLED' },
          ...buildSecurityRules()
            .rules.slice(count)
            .map((r) => ({ name: securityRuleName('prod', r.id), state: r.state })),
        ],
      });
    const deps = (count: number) => ({
      pipeline: h.pipeline,
      port: withMissing(count),
      stage: 'prod',
      secrets: h.secrets,
    });
    expect(await runSelfCheck(h.scheduled(0), deps(3))).toMatchObject({ raised: 1, resolved: 0 });
    expect(await runSelfCheck(h.scheduled(1), deps(5))).toMatchObject({
      reported: 1,
      raised: 0,
      resolved: 0,
    });
    expect(h.receivers.pager.sent.map((a) => `${a.status} ${a.annotations.summary}`)).toEqual([
      expect.stringMatching(/^firing 3 of \d+ security rules missing/),
    ]);
    const saved = await h.store.loadRecord<SelfCheckRecord>(SELF_CHECK_RECORD);
    expect(saved?.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^5 of \d+ security rules missing/),
    ]);
  });
});
