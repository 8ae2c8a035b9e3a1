import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { NoiseEngine } from '../../../shared/noise/engine';
import { silentObserver } from '../../../shared/observability/observer';
import { type PipelineDeps, processEvent } from '../../../shared/pipeline';
import { splitEnvelope } from '../../../shared/sources/envelope';
import { normalizeRecord } from '../../../shared/sources/registry';
import { classifyStage } from '../../../shared/stages/classify';
import { alarmNotifierComposition } from '../../../shared/compositions/alarm-notifier';
import { everySourceComposition } from '../../../shared/compositions/every-source';
import { operationalEventsComposition } from '../../../shared/compositions/operational-events';
import { securityResponderComposition } from '../../../shared/compositions/security-responder';
import { accepts, composition } from '../../../shared/stages/composition';
import { noiseStage } from '../../../shared/stages/noise';
import { routeStage } from '../../../shared/stages/route';
import { checkStageOrder, runStages } from '../../../shared/stages/run';
import { StageOrderError } from '../../../shared/stages/stage';
import { fixture, repoText } from '../../support/fixtures';
import { previewDeps } from '../../support/preview-deps';

const config = loadConfig(repoText('klaxon.yml'));
const deps = previewDeps(config);

/** An EventBridge event as an EventBridge rule would publish it to an SNS topic. */
function insideSns(event: unknown) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn:
          'arn:aws:sns:us-east-1:123456789012:klaxon-alarms:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:klaxon-alarms',
          Subject: null,
          Message: JSON.stringify(event),
          Timestamp: '2026-03-14T09:59:00.000Z',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const ROOT_USAGE = 'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-positive-session-call.json';

describe('stage compositions', () => {
  it('are checked when built: a stage before what it needs is a StageOrderError naming both', () => {
    expect(() => checkStageOrder([routeStage, classifyStage])).toThrow(StageOrderError);
    expect(() => checkStageOrder([routeStage, classifyStage])).toThrow(/stage route needs classified/);
    expect(() => composition({ name: 'broken', stages: [routeStage] })).toThrow(StageOrderError);
    for (const built of [
      alarmNotifierComposition,
      securityResponderComposition,
      operationalEventsComposition,
      everySourceComposition,
    ]) {
      expect(() => checkStageOrder(built.stages)).not.toThrow();
    }
  });

  it('run stages that return new work and leave the work they were given as it was', async () => {
    const [record] = splitEnvelope(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    const normalized = normalizeRecord(record!);
    if (normalized.kind !== 'alerts') throw new Error('the fixture should normalize');
    const given = Object.freeze({ draft: normalized.drafts[0]! });
    const done = await runStages([classifyStage, routeStage], given, deps);
    expect(done).not.toBe(given);
    expect(Object.keys(given)).toEqual(['draft']);
    expect(done.draft).toBe(given.draft);
    expect(done.classified?.alert.severity).toBe('critical');
    expect(done.decision?.receivers).toEqual(['oncall', 'alerts']);
  });

  it('name the sources each trigger of each function accepts', () => {
    expect(accepts(alarmNotifierComposition, 'sns', 'cloudwatch-alarm')).toBe(true);
    expect(accepts(alarmNotifierComposition, 'alarm-action', 'cloudwatch-alarm')).toBe(true);
    expect(accepts(alarmNotifierComposition, 'sns', 'heartbeat')).toBe(true);
    expect(accepts(alarmNotifierComposition, 'sns', 'cloudtrail')).toBe(false);
    expect(accepts(alarmNotifierComposition, 'eventbridge', 'guardduty')).toBe(false);
    expect(accepts(securityResponderComposition, 'eventbridge', 'cloudtrail')).toBe(true);
    // Through SNS only from topics in intake.eventBridgeOverSns (checked per topic by the pipeline).
    expect(accepts(securityResponderComposition, 'sns', 'cloudtrail')).toBe(true);
    expect(accepts(securityResponderComposition, 'sns', 'klaxon:remediation-status')).toBe(false);
    expect(accepts(securityResponderComposition, 'eventbridge', 'cloudwatch-alarm')).toBe(false);
    expect(accepts(operationalEventsComposition, 'eventbridge', 'aws-health')).toBe(true);
    expect(accepts(operationalEventsComposition, 'sns', 'cost-anomaly')).toBe(false);
    expect(accepts(everySourceComposition, 'sns', 'cloudtrail')).toBe(true);
  });
});

describe('a function given a source its triggers do not carry', () => {
  it('the alarm notifier ignores a CloudTrail detection inside an SNS message, with the reason', async () => {
    const event = insideSns(fixture(ROOT_USAGE));
    // Listed in intake.eventBridgeOverSns, the topic's events reach the functions' source checks.
    const optedIn = previewDeps(
      loadConfig(
        repoText('klaxon.yml').replace(
          'alarmTopics: []',
          "alarmTopics: []\n  eventBridgeOverSns:\n    - { topicArn: 'arn:aws:sns:us-east-1:123456789012:klaxon-alarms', accounts: ['123456789012'] }",
        ),
      ),
    );
    const everywhere = await processEvent(event, optedIn);
    expect(everywhere.alerts.map((a) => a.decision.alert.labels.source)).toEqual(['cloudtrail']);
    const notifier = await processEvent(event, optedIn, alarmNotifierComposition);
    expect(notifier.outcome).toBe('ignored');
    expect(notifier.alerts).toEqual([]);
    expect(notifier.ignored).toEqual([
      { record: 0, reason: 'cloudtrail events are not accepted by the alarm-notifier function through sns' },
    ]);
    // Not listed: ignored before any function looks at its source.
    const unlisted = await processEvent(event, deps);
    expect(unlisted.ignored[0]?.reason).toMatch(/only topics listed in intake.eventBridgeOverSns/);
    // The notifier does not carry the CloudTrail normalizer, and refuses it for the same reasons.
    const unlistedAtNotifier = await processEvent(event, deps, alarmNotifierComposition);
    expect(unlistedAtNotifier.ignored).toEqual(unlisted.ignored);
    expect(unlistedAtNotifier.notices).toEqual([]);
  });

  it('names a known source it does not carry without parsing it: refused, never a notice, even unreadable', async () => {
    const finding = fixture('guardduty/eventbridge-finding-new.json') as Record<string, unknown>;
    const unreadable = { ...finding, detail: 'not a finding' };
    // Every source: parsed, found unreadable, reported with a notice.
    const everywhere = await processEvent(unreadable, deps);
    expect(everywhere.outcome).toBe('invalid');
    expect(everywhere.notices).toHaveLength(1);
    for (const fn of [alarmNotifierComposition, operationalEventsComposition]) {
      const result = await processEvent(unreadable, deps, fn);
      expect(result.outcome).toBe('ignored');
      expect(result.notices).toEqual([]);
      expect(result.ignored).toEqual([
        {
          record: 0,
          reason: `guardduty events are not accepted by the ${fn.name} function through eventbridge`,
        },
      ]);
    }
    expect(alarmNotifierComposition.registry.sources.map((d) => d.id)).not.toContain('guardduty');
  });

  it('still reports an AWS event no source knows, with a notice, whatever sources it carries', async () => {
    const unknown = {
      ...(fixture('guardduty/eventbridge-finding-new.json') as Record<string, unknown>),
      source: 'aws.braket',
      'detail-type': 'Braket Task State Change',
    };
    for (const fn of [alarmNotifierComposition, operationalEventsComposition, securityResponderComposition]) {
      const result = await processEvent(unknown, deps, fn);
      expect(result.ignored[0]?.reason).toMatch(
        /no normalizer for EventBridge events of source "aws.braket"/,
      );
      expect(result.notices).toHaveLength(1);
    }
  });

  it('the security responder takes the same detection from EventBridge, and refuses an alarm there', async () => {
    const detection = await processEvent(fixture(ROOT_USAGE), deps, securityResponderComposition);
    expect(detection.outcome).toBe('alerts');
    expect(detection.alerts[0]?.decision.alert.severity).toBe('critical');
    const alarm = await processEvent(
      fixture('cloudwatch-alarm/eventbridge-metric-alarm-5xx.json'),
      deps,
      securityResponderComposition,
    );
    expect(alarm.outcome).toBe('ignored');
    expect(alarm.ignored[0]?.reason).toMatch(
      /cloudwatch-alarm events are not accepted by the security-responder/,
    );
  });

  it('the operational-events function takes Health events and refuses GuardDuty findings', async () => {
    const health = await processEvent(
      fixture('health/eventbridge-health-event-issue-open.json'),
      deps,
      operationalEventsComposition,
    );
    expect(health.outcome).toBe('alerts');
    const finding = await processEvent(
      fixture('guardduty/eventbridge-finding-new.json'),
      deps,
      operationalEventsComposition,
    );
    expect(finding.outcome).toBe('ignored');
    expect(finding.ignored[0]?.reason).toMatch(/guardduty events are not accepted by the operational-events/);
  });

  it('decides the same for an accepted event whichever composition runs it', async () => {
    const event = fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json');
    const [everywhere, notifier] = await Promise.all([
      processEvent(event, deps),
      processEvent(event, deps, alarmNotifierComposition),
    ]);
    const view = (r: typeof everywhere) => r.alerts.map((a) => [a.decision, a.payloads]);
    expect(view(notifier)).toEqual(view(everywhere));
  });
});

describe('the noise stage', () => {
  it('returns a new, suppressed decision and leaves the routed one as it was', async () => {
    const silenced = loadConfig(
      `${repoText('klaxon.yml')}\nsilences:\n  - { id: freeze, match: { alarmName: 'api-*' }, reason: change freeze }\n`,
    );
    const noisy: PipelineDeps = {
      ...deps,
      config: silenced,
      noise: new NoiseEngine({ config: silenced, observer: silentObserver, now: deps.now }),
    };
    const [record] = splitEnvelope(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'));
    const normalized = normalizeRecord(record!);
    if (normalized.kind !== 'alerts') throw new Error('the fixture should normalize');
    const routed = await runStages([classifyStage, routeStage], { draft: normalized.drafts[0]! }, noisy);
    const before = Object.freeze({ ...routed.decision! });
    const weighed = await runStages([noiseStage], { ...routed, decision: before }, noisy);
    expect(weighed.decision).not.toBe(before);
    expect(weighed.decision?.suppressed).toMatch(/silenced by freeze/);
    expect(before.suppressed).toBeUndefined();
    expect(weighed.recordNoise).toBeTypeOf('function');
  });
});
