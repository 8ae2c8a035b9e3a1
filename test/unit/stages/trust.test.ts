import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import type { AlarmDefinition } from '../../../shared/enrichment/cloudwatch-port';
import { NoiseEngine, readDecisionRecords } from '../../../shared/noise/engine';
import { formatRecord } from '../../../shared/noise/record';
import { silentObserver } from '../../../shared/observability/observer';
import { processEvent } from '../../../shared/pipeline';
import type { PipelineDeps } from '../../../shared/pipeline-deps';
import { createReceivers, systemClock } from '../../../shared/receivers/factory';
import { Remediator } from '../../../shared/remediation/remediator';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { normalizeRecord } from '../../../shared/sources/registry';
import { alarmNotifierComposition } from '../../../shared/compositions/alarm-notifier';
import { everySourceComposition } from '../../../shared/compositions/every-source';
import { securityResponderComposition } from '../../../shared/compositions/security-responder';
import { describeProvenance } from '../../../shared/stages/provenance';
import { MemoryStateStore } from '../../../shared/state/memory';
import { fixture, repoText } from '../../support/fixtures';

const FORGED_OK = 'forged/sns-ok-for-alarm-still-in-alarm.json';
const OWN = '123456789012';

/** A DescribeAlarms fake answering with the given state (or no alarm, or an error). */
function cloudwatch(answer: string | 'missing' | Error, dimensions?: Record<string, string>) {
  const calls: string[][] = [];
  return {
    calls,
    ownAccount: OWN,
    describeAlarms: async (names: readonly string[]): Promise<AlarmDefinition[]> => {
      calls.push([...names]);
      if (answer instanceof Error) throw answer;
      if (answer === 'missing') return [];
      return names.map((name) => ({
        name,
        kind: 'metric' as const,
        state: answer,
        ...(dimensions
          ? { metric: { namespace: 'AWS/EC2', metricName: 'x', dimensions, stat: 'Average', period: 60 } }
          : {}),
      }));
    },
  };
}

function deps(extra: Partial<PipelineDeps> = {}, yaml = repoText('klaxon.yml')): PipelineDeps {
  const config = loadConfig(yaml);
  return {
    config,
    receivers: createReceivers(config.receivers, {
      secrets: new LocalSecretResolver({}),
      post: async () => {
        throw new Error('no network');
      },
      clock: systemClock,
      consoleSink: () => {},
    }),
    mode: 'preview',
    observer: silentObserver,
    now: () => new Date('2026-03-14T10:00:00Z'),
    ...extra,
  };
}

describe('the alarm-state check before a resolve', () => {
  it('refuses an OK for an alarm CloudWatch still has in ALARM, and reports it', async () => {
    const cw = cloudwatch('ALARM');
    const result = await processEvent(
      fixture(FORGED_OK),
      deps({ alarmStates: cw }),
      alarmNotifierComposition,
    );
    const decision = result.alerts[0]?.decision;
    expect(decision?.alert.status).toBe('resolved');
    expect(decision?.suppressed).toMatch(/resolve refused: CloudWatch says the alarm is still in ALARM/);
    expect(result.alerts[0]?.deliveries).toEqual([]);
    expect(decision?.alert.provenance?.alarmState).toEqual({ state: 'ALARM' });
    expect(cw.calls).toEqual([['api-prod-5xx']]);
  });

  it('lets the real OK through when CloudWatch agrees', async () => {
    const result = await processEvent(
      fixture('cloudwatch-alarm/sns-metric-alarm-5xx-ok.json'),
      deps({ alarmStates: cloudwatch('OK') }),
      alarmNotifierComposition,
    );
    expect(result.alerts[0]?.decision.suppressed).toBeUndefined();
    expect(result.alerts[0]?.decision.receivers).toEqual(['oncall', 'alerts']);
  });

  it('refuses an OK for an alarm that does not exist in the account', async () => {
    const result = await processEvent(fixture(FORGED_OK), deps({ alarmStates: cloudwatch('missing') }));
    expect(result.alerts[0]?.decision.suppressed).toMatch(/no such alarm in this account/);
  });

  it('delivers the resolve when CloudWatch does not answer (fail open for resolves)', async () => {
    const result = await processEvent(
      fixture(FORGED_OK),
      deps({ alarmStates: cloudwatch(new Error('ThrottlingException')) }),
    );
    expect(result.alerts[0]?.decision.suppressed).toBeUndefined();
    expect(result.alerts[0]?.decision.alert.provenance?.alarmState).toEqual({ state: 'unavailable' });
  });

  it("does not ask about another account's alarm (DescribeAlarms sees only its own)", async () => {
    const cw = { ...cloudwatch('ALARM'), ownAccount: '111122223333' };
    const result = await processEvent(fixture(FORGED_OK), deps({ alarmStates: cw }));
    expect(cw.calls).toEqual([]);
    expect(result.alerts[0]?.decision.suppressed).toBeUndefined();
  });

  it('shows the provenance and the refusal in the decision record (explain)', async () => {
    const store = new MemoryStateStore();
    const base = deps({ alarmStates: cloudwatch('ALARM') });
    const noise = new NoiseEngine({ config: base.config, store, observer: silentObserver, now: base.now });
    const result = await processEvent(fixture(FORGED_OK), { ...base, noise, store });
    const decision = result.alerts[0]?.decision;
    expect(decision?.alert.provenance).toBeDefined();
    // A replay keeps its records in the engine (deployed: in the state table).
    const text = noise.records.map((r) => formatRecord(r)).join('\n');
    expect(await readDecisionRecords(store, decision?.alert.fingerprint ?? '')).toEqual([]);
    expect(text).toContain(
      'provenance:  sns arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms; remediation: yes; resolve: yes; alarm now ALARM',
    );
    expect(text).toMatch(/suppressed: .*resolve refused/);
  });
});

describe('the alarm-state check before a remediation', () => {
  const AUTO = repoText('klaxon.yml').replace(
    "parameters: { InstanceId: '{{ labels.InstanceId }}' } # the alarm's InstanceId dimension\n    mode: dry-run",
    "parameters: { InstanceId: '{{ labels.InstanceId }}' } # the alarm's InstanceId dimension\n    mode: auto",
  );
  const started: unknown[] = [];
  const live = (cw: ReturnType<typeof cloudwatch>) => {
    const config = loadConfig(AUTO);
    const store = new MemoryStateStore();
    const remediator = new Remediator({
      config,
      observer: silentObserver,
      now: () => new Date('2026-03-14T10:00:00Z'),
      store,
      ownAccount: OWN,
      automation: {
        start: async (input) => {
          started.push(input);
          return `exec-${started.length}`;
        },
        status: async () => ({ status: 'Success' }),
      },
    });
    return deps({ alarmStates: cw, remediator, mode: 'preview' }, AUTO);
  };

  it('records the state and whether the dimensions are the alarm’s own; a replay still acts on none', async () => {
    expect(AUTO).toContain('mode: auto');
    const cw = cloudwatch('OK', { InstanceId: 'i-0a1b2c3d4e5f67890' });
    const result = await processEvent(
      fixture('cloudwatch-alarm/sns-web-unhealthy-instance.json'),
      live(cw),
      alarmNotifierComposition,
    );
    expect(cw.calls).toHaveLength(1);
    expect(result.alerts[0]?.decision.alert.provenance?.alarmState?.state).toBe('OK');
  });
});

describe('paths and sources Klaxon does not trust', () => {
  it('ignores an EventBridge event whose source is not aws.*, whatever its detail-type', () => {
    const result = normalizeRecord({
      kind: 'eventbridge',
      index: 0,
      event: fixture('forged/eventbridge-custom-source-root-usage.json') as Record<string, unknown>,
    });
    expect(result).toMatchObject({ kind: 'ignored' });
    expect(result.kind === 'ignored' && result.reason).toMatch(/source "my\.app" is not an AWS service/);
    // The same event from aws.signin is a root-usage detection.
    const legit = normalizeRecord({
      kind: 'eventbridge',
      index: 0,
      event: fixture(
        'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-positive-session-call.json',
      ) as Record<string, unknown>,
    });
    expect(legit.kind).toBe('alerts');
  });

  it('ignores a CloudTrail event wrapped in SNS on a topic not opted in, in replays and deployed', async () => {
    const wrapped = fixture('forged/sns-wrapped-cloudtrail-sg-open-to-world.json');
    for (const composition of [everySourceComposition, alarmNotifierComposition]) {
      const result = await processEvent(wrapped, deps(), composition);
      expect(result.alerts).toEqual([]);
      expect(result.ignored[0]?.reason).toMatch(
        /an EventBridge event \(cloudtrail\) inside an SNS message on arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms: ignored; only topics listed in intake.eventBridgeOverSns/,
      );
    }
    // The same event by EventBridge pages.
    const direct = await processEvent(
      fixture('cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json'),
      deps(),
    );
    expect(direct.alerts.some((a) => a.decision.alert.severity === 'critical')).toBe(true);
  });

  it('describes what each path is trusted for in one line', () => {
    expect(
      describeProvenance({
        trigger: 'sns',
        via: 'arn:aws:sns:us-west-2:111122223333:team-alarms',
        remediation: { trusted: false, reason: 'a listed topic' },
        resolve: { trusted: true, reason: 'alarm' },
      }),
    ).toBe(
      'sns arn:aws:sns:us-west-2:111122223333:team-alarms; remediation: no (a listed topic); resolve: yes',
    );
  });
});

describe('EventBridge events inside SNS messages (intake.eventBridgeOverSns)', () => {
  const FORWARDING = 'arn:aws:sns:us-east-1:123456789012:security-forwarding';
  const optedIn = (accounts = `['${OWN}']`, yaml = repoText('klaxon.yml')) =>
    yaml.replace(
      'alarmTopics: []',
      `alarmTopics: []\n  eventBridgeOverSns:\n    - topicArn: ${FORWARDING}\n      accounts: ${accounts}`,
    );

  it('accepts a GuardDuty finding from an opted-in topic, keeps its severity and marks its provenance', async () => {
    const result = await processEvent(
      fixture('sns/sns-eventbridge-guardduty-forwarded.json'),
      deps({}, optedIn()),
      securityResponderComposition,
    );
    const alert = result.alerts[0]?.decision.alert;
    expect(alert?.severity).toBe('critical');
    expect(alert?.provenance).toMatchObject({
      trigger: 'sns',
      via: FORWARDING,
      optedIn: 'intake.eventBridgeOverSns',
      remediation: { trusted: false },
    });
    expect(describeProvenance(alert!.provenance!)).toMatch(
      /^sns arn:aws:sns:us-east-1:123456789012:security-forwarding \(EventBridge event, opted in by intake.eventBridgeOverSns\); remediation: no \(/,
    );
    // Without the opt-in, the same message is ignored, with the reason.
    const refused = await processEvent(
      fixture('sns/sns-eventbridge-guardduty-forwarded.json'),
      deps(),
      securityResponderComposition,
    );
    expect(refused.alerts).toEqual([]);
    expect(refused.ignored[0]?.reason).toMatch(/only topics listed in intake.eventBridgeOverSns/);
  });

  it('refuses an event of an account the topic is not listed for', async () => {
    const result = await processEvent(
      fixture('forged/sns-eventbridge-guardduty-unlisted-account.json'),
      deps({}, optedIn()),
      securityResponderComposition,
    );
    expect(result.alerts).toEqual([]);
    expect(result.ignored[0]?.reason).toBe(
      `an EventBridge event (guardduty) of account 444455556666 inside an SNS message on ${FORWARDING}: ignored; intake.eventBridgeOverSns lists ${OWN} for that topic`,
    );
  });

  it('never accepts an SSM status event through SNS, even from an opted-in topic', async () => {
    for (const composition of [everySourceComposition, securityResponderComposition]) {
      const result = await processEvent(
        fixture('forged/sns-eventbridge-ssm-automation-success.json'),
        deps({}, optedIn()),
        composition,
      );
      expect(result.alerts).toEqual([]);
      expect(result.ignored[0]?.reason).toMatch(
        /an SSM status event inside an SNS message on .*security-forwarding: ignored; remediation status is accepted only from the stack's own EventBridge rules/,
      );
    }
  });

  it("ignores an alarm state-change event wrapped in SNS on the stack's own alarm topic", async () => {
    const result = await processEvent(
      fixture('forged/sns-eventbridge-alarm-state-change-on-alarm-topic.json'),
      deps({ alarmStates: cloudwatch('ALARM') }),
      alarmNotifierComposition,
    );
    expect(result.alerts).toEqual([]);
    expect(result.ignored[0]?.reason).toMatch(
      /an EventBridge event \(cloudwatch-alarm\) inside an SNS message on .*klaxon-prod-alarms: ignored/,
    );
    // The same event straight from EventBridge is an alarm.
    const direct = await processEvent(
      fixture('cloudwatch-alarm/eventbridge-metric-alarm-5xx.json'),
      deps({ alarmStates: cloudwatch('ALARM') }),
      alarmNotifierComposition,
    );
    expect(direct.alerts).toHaveLength(1);
  });

  it('never remediates an event from an opted-in topic, even when a rule in auto mode matches', async () => {
    const auto = optedIn(
      `['${OWN}']`,
      repoText('klaxon.yml').replace(
        "parameters: { GroupId: '{{ labels.resource }}' } # the group the CloudTrail call opened\n    mode: dry-run",
        "parameters: { GroupId: '{{ labels.resource }}' } # the group the CloudTrail call opened\n    mode: auto",
      ),
    );
    expect(auto).toContain('mode: auto');
    const config = loadConfig(auto);
    const started: unknown[] = [];
    const remediator = new Remediator({
      config,
      observer: silentObserver,
      now: () => new Date('2026-03-14T10:00:00Z'),
      store: new MemoryStateStore(),
      ownAccount: OWN,
      automation: {
        start: async (input) => {
          started.push(input);
          return 'exec-1';
        },
        status: async () => ({ status: 'Success' }),
      },
    });
    const direct = fixture('cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json') as {
      account: string;
    };
    const wrapped = {
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            MessageId: 'fa0d6a3e-1c2b-5d4e-8f90-a1b2c3d4e5f6',
            TopicArn: FORWARDING,
            Subject: null,
            Message: JSON.stringify(direct),
            Timestamp: '2026-03-14T09:41:06.000Z',
          },
        },
      ],
    };
    const base = deps({ remediator }, auto);
    const noise = new NoiseEngine({
      config,
      store: new MemoryStateStore(),
      observer: silentObserver,
      now: base.now,
    });
    const result = await processEvent(wrapped, { ...base, noise }, securityResponderComposition);
    const remediations = result.alerts.map((a) => a.remediation).filter((r) => r !== undefined);
    expect(remediations.length).toBeGreaterThan(0);
    for (const remediation of remediations) {
      expect(remediation.outcome).toBe('skipped');
      expect(remediation.reason).toMatch(
        /not trusted for remediation: an EventBridge event on .*opted in by intake.eventBridgeOverSns/,
      );
    }
    expect(started).toEqual([]);
    // By EventBridge, the same rule would act (a replay says so).
    const byBus = await processEvent(direct, { ...base, noise }, securityResponderComposition);
    expect(byBus.alerts.map((a) => a.remediation?.outcome)).toContain('dry-run');
    // The decision records (klaxon explain) carry a remediation line: refused and why, then planned.
    const lines = noise.records
      .map((record) => formatRecord(record))
      .join('\n')
      .split('\n')
      .filter((line) => line.startsWith('  remediation: '));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}remediation: rule close-world-open-security-group \(mode auto\), AWS-DisablePublicAccessForSecurityGroup\(\): refused: not trusted for remediation: an EventBridge event on /,
      ),
      expect.stringMatching(
        /^ {2}remediation: rule close-world-open-security-group \(mode auto\), AWS-DisablePublicAccessForSecurityGroup\(GroupId=sg-[0-9a-f]+\): planned \(dry run, nothing started\): matched /,
      ),
    ]);
  });
});
