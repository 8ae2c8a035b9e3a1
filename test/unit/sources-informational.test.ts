import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it } from 'vitest';
import { INFORMATIONAL_KINDS, INFORMATIONAL_SOURCES, informationalOf } from '../../shared/alert/alert';
import { loadConfig } from '../../shared/config/yaml';
import { DIMENSION_VALUES, METRIC_DIMENSIONS } from '../../shared/observability/metrics';
import { PowertoolsObserver, silentObserver } from '../../shared/observability/observer';
import { processEvent, processEventText } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { classify } from '../../shared/routing/decide';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { isCostAnomalyMessage } from '../../shared/sources/cost-anomaly/normalize';
import { splitEnvelope } from '../../shared/sources/envelope';
import { healthEventUrl } from '../../shared/sources/health/normalize';
import { informationalName } from '../../shared/sources/informational';
import { EVERY_SOURCE, normalizeRecord, SOURCES } from '../../shared/sources/registry';
import type { AlertDraft, NormalizeResult } from '../../shared/sources/types';
import { captureOutput } from '../support/capture';
import { fixture, REPO_ROOT, repoText } from '../support/fixtures';

type Json = Record<string, unknown>;

function results(raw: unknown): NormalizeResult[] {
  return splitEnvelope(raw).map((record) => normalizeRecord(record));
}

function only(raw: unknown): AlertDraft {
  const [result, ...rest] = results(raw);
  if (!result || rest.length > 0) throw new Error('expected one record');
  if (result.kind !== 'alerts') throw new Error(`expected alerts, got ${result.kind}: ${result.reason}`);
  const [draft, ...more] = result.drafts;
  if (!draft || more.length > 0) throw new Error('expected exactly one alert');
  return draft;
}

/** The two alerts of a failed deployment: the resolve of its in-progress alert, and the failure itself. */
function endedAndFailure(raw: unknown): [AlertDraft, AlertDraft] {
  const [result] = results(raw);
  if (result?.kind !== 'alerts') throw new Error('expected alerts');
  const [ended, failure, ...more] = result.drafts;
  if (!ended || !failure || more.length > 0) throw new Error('expected exactly two alerts');
  return [ended, failure];
}

function single(raw: unknown): NormalizeResult {
  const [result] = results(raw);
  if (!result) throw new Error('no record');
  return result;
}

/** A deep copy of a fixture with `edit` applied to it. */
function edited(path: string, edit: (event: Json) => void): Json {
  const copy = structuredClone(fixture(path)) as Json;
  edit(copy);
  return copy;
}

function detailOf(event: Json): Json {
  return event.detail as Json;
}

describe('AWS Health events', () => {
  const open = only(fixture('health/eventbridge-health-event-issue-open.json'));
  const closed = only(fixture('health/eventbridge-health-event-issue-closed.json'));

  it('labels the impacted Region (detail.eventRegion, not the delivery Region) and the affected account', () => {
    expect(open.labels).toEqual({
      source: 'aws-health',
      kind: 'health',
      account: '111122223333',
      region: 'eu-west-1',
      service: 'EC2',
      eventTypeCode: 'AWS_EC2_OPERATIONAL_ISSUE',
      eventTypeCategory: 'issue',
      statusCode: 'open',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
    });
    expect(open.defaultSeverity).toBe('info');
    expect(open.path).toBe('eventbridge');
  });

  it('falls back to the envelope account without an organizational view, and to the ARN Region without eventRegion', () => {
    const draft = only(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        delete detailOf(e).affectedAccount;
        delete detailOf(e).eventRegion;
      }),
    );
    expect(draft.labels.account).toBe('123456789012');
    expect(draft.labels.region).toBe('eu-west-1');
  });

  it('is firing while open or upcoming and resolves when closed, with one fingerprint per event and account', () => {
    expect(open.status).toBe('firing');
    expect(closed.status).toBe('resolved');
    expect(closed.fingerprint).toBe(open.fingerprint);
    expect(open.fingerprint).toBe(
      'arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_4B7E2A9C1D5F|111122223333',
    );
    expect(closed.transitionId).not.toBe(open.transitionId);
    const upcoming = only(fixture('health/eventbridge-health-event-scheduled-change-upcoming.json'));
    expect(upcoming.status).toBe('firing');
    expect(upcoming.labels.eventTypeCategory).toBe('scheduledChange');
    const other = only(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        detailOf(e).affectedAccount = '444455556666';
      }),
    );
    expect(other.fingerprint).not.toBe(open.fingerprint);
  });

  it('reads RFC-1123 times and falls back to the envelope time for unreadable ones', () => {
    expect(open.startsAt).toBe('2026-03-14T08:52:00.000Z');
    expect(open.observedAt).toBe('2026-03-14T09:05:12.000Z');
    expect(closed.annotations.endTime).toBe('2026-03-14T11:31:00.000Z');
    const broken = only(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        // The doc-sample bug: spaces inside an ISO time (Invalid Date in Node).
        detailOf(e).startTime = '2026-03-14T08: 52: 00.000+0000';
      }),
    );
    expect(broken.startsAt).toBe('2026-03-14T09:05:12.000Z');
  });

  it('summarises the first line of the description, truncated, and links the Health dashboard event', () => {
    expect(open.annotations.summary).toBe(
      'AWS Health issue (open): EC2 AWS_EC2_OPERATIONAL_ISSUE in 111122223333/eu-west-1: Increased API error rates',
    );
    expect(closed.annotations.summary).toMatch(/^RESOLVED: AWS Health issue: EC2 /);
    expect(open.annotations.description).toContain('RunInstances and StartInstances');
    const long = only(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        detailOf(e).eventDescription = [
          { language: 'fr_FR', latestDescription: 'Problème' },
          { language: 'en_US', latestDescription: `${'x'.repeat(400)}\nsecond line` },
        ];
      }),
    );
    expect(long.annotations.summary).toMatch(/: x{159}…$/);
    expect(long.annotations.summary).not.toContain('second line');
    const url =
      'https://health.aws.amazon.com/health/home#/account/event-log?eventID=arn%3Aaws%3Ahealth%3Aeu-west-1%3A%3Aevent%2FEC2%2FAWS_EC2_OPERATIONAL_ISSUE%2FAWS_EC2_OPERATIONAL_ISSUE_4B7E2A9C1D5F&eventTab=details';
    expect(open.annotations.consoleUrl).toBe(url);
    expect(open.links).toEqual([{ text: 'AWS Health event', url }]);
    expect(healthEventUrl('aws-cn', 'arn:aws-cn:health:cn-north-1::event/x/y/z')).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/health\/home#/,
    );
    expect(open.annotations.affectedResources).toBe('i-0a1b2c3d4e5f67890, i-0b2c3d4e5f6a78901');
  });

  it('defaults abuse events to warning, not info', () => {
    const abuse = only(fixture('health/eventbridge-health-abuse-event.json'));
    expect(abuse.defaultSeverity).toBe('warning');
    expect(abuse.labels).toMatchObject({ kind: 'health', region: 'global', account: '123456789012' });
    expect(abuse.annotations.summary).toMatch(/^AWS Health abuse event \(open\): ABUSE AWS_ABUSE_DOS_REPORT/);
  });

  it('reads an unknown status as open, keeps it as given, and says so', () => {
    const draft = only(fixture('health/eventbridge-health-event-bad-status.json'));
    expect(draft.status).toBe('firing');
    expect(draft.annotations.unreadable).toMatch(
      /^field statusCode \(unknown value "[^"]+": read as open\)$/,
    );
    const missing = only(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        delete detailOf(e).statusCode;
      }),
    );
    expect(missing).toMatchObject({
      status: 'firing',
      labels: { statusCode: 'unknown' },
      annotations: { unreadable: 'field statusCode (missing: read as open)' },
    });
  });

  it('names the bad identity field of malformed events, and leaves out a bad Region', () => {
    const noArn = single(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        detailOf(e).eventArn = 'EC2_ISSUE_1';
      }),
    );
    expect(noArn).toMatchObject({
      kind: 'invalid',
      reason: 'AWS Health event: eventArn: an AWS Health event ARN',
    });
    const badRegion = single(
      edited('health/eventbridge-health-event-issue-open.json', (e) => {
        detailOf(e).eventRegion = 'EU (Ireland)';
      }),
    );
    expect(badRegion).toMatchObject({ kind: 'alerts' });
    const [draft] = badRegion.kind === 'alerts' ? badRegion.drafts : [];
    expect(draft?.annotations.unreadable).toMatch(/^field eventRegion \(/);
  });
});

describe('CodeDeploy deployments', () => {
  const start = only(fixture('codedeploy/eventbridge-deployment-start.json'));
  const success = only(fixture('codedeploy/eventbridge-deployment-success.json'));
  const [failureEnd] = endedAndFailure(fixture('codedeploy/eventbridge-deployment-failure.json'));

  it('labels the application (also as service), group, deployment and state', () => {
    expect(start.labels).toEqual({
      source: 'codedeploy',
      kind: 'deployment',
      account: '123456789012',
      region: 'us-east-1',
      service: 'checkout-api',
      application: 'checkout-api',
      deploymentGroup: 'prod-fleet',
      deploymentId: 'd-7XK2M9Q4B',
      deploymentState: 'START',
    });
    expect(start.defaultSeverity).toBe('info');
    expect(start.annotations.summary).toBe(
      'CodeDeploy deployment d-7XK2M9Q4B of checkout-api/prod-fleet started (123456789012/us-east-1)',
    );
    expect(start.links[0]?.url).toBe(
      'https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7XK2M9Q4B?region=us-east-1',
    );
  });

  it('fires while in progress and resolves on SUCCESS, FAILURE and STOP, one fingerprint per deployment', () => {
    expect(start.status).toBe('firing');
    expect(success.status).toBe('resolved');
    expect(success.fingerprint).toBe(start.fingerprint);
    expect(success.transitionId).not.toBe(start.transitionId);
    expect(failureEnd.status).toBe('resolved');
    expect(failureEnd.fingerprint).not.toBe(start.fingerprint);
    expect(failureEnd.labels.deploymentState).toBe('FAILURE');
    expect(failureEnd.annotations.summary).toContain('FAILED');
    for (const [state, status] of [
      ['READY', 'firing'],
      ['STOP', 'resolved'],
    ] as const) {
      const draft = only(
        edited('codedeploy/eventbridge-deployment-start.json', (e) => {
          detailOf(e).state = state;
        }),
      );
      expect(draft.status).toBe(status);
    }
  });

  it('names the bad field', () => {
    expect(
      single(
        edited('codedeploy/eventbridge-deployment-start.json', (e) => {
          detailOf(e).deploymentId = '7XK2M9Q4B';
        }),
      ),
    ).toEqual({
      kind: 'invalid',
      reason: 'CodeDeploy deployment state change: deploymentId: a CodeDeploy deployment id (d-…)',
    });
    expect(
      single(
        edited('codedeploy/eventbridge-deployment-start.json', (e) => {
          delete detailOf(e).application;
        }),
      ),
    ).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/: application: /) });
  });
});

describe('ECS service deployments', () => {
  const progress = only(fixture('ecs/eventbridge-deployment-in-progress.json'));
  const completed = only(fixture('ecs/eventbridge-deployment-completed.json'));
  const [failed] = endedAndFailure(fixture('ecs/eventbridge-deployment-failed.json'));

  it('takes service and cluster from the service ARN in resources[0]', () => {
    expect(progress.labels).toEqual({
      source: 'ecs',
      kind: 'deployment',
      account: '123456789012',
      region: 'eu-west-1',
      service: 'payments-api',
      cluster: 'prod-cluster',
      deploymentId: 'ecs-svc/4718236509182736451',
      deploymentState: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
    });
    expect(progress.startsAt).toBe('2026-03-14T09:12:40.617Z');
    expect(progress.links[0]?.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/services/payments-api/deployments?region=eu-west-1',
    );
  });

  it('fires while in progress and resolves when completed or failed', () => {
    expect(progress.status).toBe('firing');
    expect(completed.status).toBe('resolved');
    expect(completed.fingerprint).toBe(progress.fingerprint);
    expect(completed.transitionId).not.toBe(progress.transitionId);
    expect(failed.status).toBe('resolved');
    expect(failed.annotations.summary).toMatch(
      /FAILED .*: ECS deployment circuit breaker: tasks failed to start\.$/,
    );
    expect(progress.annotations.summary).not.toContain(': ECS deployment');
  });

  it('reads the old service ARN format with the cluster from detail.clusterArn', () => {
    const draft = only(
      edited('ecs/eventbridge-deployment-in-progress.json', (e) => {
        e.resources = ['arn:aws:ecs:eu-west-1:123456789012:service/payments-api'];
        detailOf(e).clusterArn = 'arn:aws:ecs:eu-west-1:123456789012:cluster/legacy';
      }),
    );
    expect(draft.labels).toMatchObject({ service: 'payments-api', cluster: 'legacy' });
  });

  it('is invalid without a service ARN and ignores deployment events it does not follow', () => {
    expect(
      single(
        edited('ecs/eventbridge-deployment-in-progress.json', (e) => {
          e.resources = [];
        }),
      ),
    ).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^ECS deployment state change: resources\.0: /),
    });
    expect(
      single(
        edited('ecs/eventbridge-deployment-in-progress.json', (e) => {
          delete detailOf(e).deploymentId;
        }),
      ),
    ).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/: deploymentId: /) });
    expect(
      single(
        edited('ecs/eventbridge-deployment-in-progress.json', (e) => {
          detailOf(e).eventName = 'SERVICE_DEPLOYMENT_ROLLBACK_STARTED';
        }),
      ),
    ).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('SERVICE_DEPLOYMENT_ROLLBACK_STARTED'),
    });
  });
});

describe('Auto Scaling launches and terminations', () => {
  const launch = only(fixture('autoscaling/eventbridge-instance-launch-successful.json'));
  const terminate = only(fixture('autoscaling/eventbridge-instance-terminate-successful.json'));
  const failedLaunch = only(fixture('autoscaling/eventbridge-instance-launch-unsuccessful.json'));

  it('labels group, instance, activity and outcome; point events, one fingerprint per activity', () => {
    expect(launch.labels).toEqual({
      source: 'autoscaling',
      kind: 'scaling',
      account: '123456789012',
      region: 'us-east-1',
      autoScalingGroup: 'web-prod-asg',
      InstanceId: 'i-0d4e5f6a7b8c90123',
      activity: 'launch',
      outcome: 'successful',
      availabilityZone: 'us-east-1b',
    });
    expect(launch.status).toBe('firing');
    expect(terminate.status).toBe('firing');
    expect(terminate.labels).toMatchObject({ activity: 'terminate', outcome: 'successful' });
    expect(launch.fingerprint).toBe(
      'autoscaling:123456789012:us-east-1:activity/7f1c3e5a-9b2d-4f6a-8c0e-2a4c6e8a0c2e',
    );
    expect(terminate.fingerprint).not.toBe(launch.fingerprint);
    expect(launch.startsAt).toBe('2026-03-14T09:43:45.512Z');
  });

  it('summarises the description (the status message when it failed) and keeps the cause', () => {
    expect(launch.annotations.summary).toBe(
      'Auto Scaling launch successful in web-prod-asg: Launching a new EC2 instance: i-0d4e5f6a7b8c90123 (123456789012/us-east-1)',
    );
    expect(launch.annotations.description).toMatch(
      /^Cause: At 2026-03-14T09:43:40Z a monitor alarm web-prod-cpu-high/,
    );
    expect(failedLaunch.labels).toMatchObject({ activity: 'launch', outcome: 'unsuccessful' });
    expect(failedLaunch.labels.InstanceId).toBeUndefined();
    expect(failedLaunch.annotations.summary).toMatch(
      /^Auto Scaling launch UNSUCCESSFUL in web-prod-asg: We currently do not have sufficient m7g\.large capacity/,
    );
    expect(failedLaunch.annotations.description).toContain('\nStatus: We currently do not have');
  });

  it('ignores lifecycle actions with a reason and names the bad field', () => {
    expect(single(fixture('autoscaling/eventbridge-instance-terminate-lifecycle-action.json'))).toMatchObject(
      {
        kind: 'ignored',
        reason: expect.stringContaining('lifecycle hook'),
      },
    );
    expect(
      single(
        edited('autoscaling/eventbridge-instance-launch-successful.json', (e) => {
          delete detailOf(e).ActivityId;
        }),
      ),
    ).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^Auto Scaling launch event: ActivityId: /),
    });
  });
});

describe('Cost Anomaly Detection', () => {
  const sns = only(fixture('cost-anomaly/sns-anomaly-individual-alert.json'));
  const eventBridge = only(fixture('cost-anomaly/eventbridge-anomaly-detected.json'));

  it('recognises the SNS message by shape and gives both paths one fingerprint and transition', () => {
    expect(sns.path).toBe('sns');
    expect(eventBridge.path).toBe('eventbridge');
    expect(sns.fingerprint).toBe(eventBridge.fingerprint);
    expect(sns.transitionId).toBe(eventBridge.transitionId);
    expect(sns.fingerprint).toBe(
      'arn:aws:ce::123456789012:anomalymonitor/3f6a9c2e-5b8d-4e1f-a7c0-9d2b4e6f8a1c/anomaly/b7e2c9a4-1d6f-4a3b-8e5c-2f9a7d4b1c6e',
    );
    expect(sns.topicArn).toBe('arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms');
  });

  it('labels monitor and root-cause service, and annotates the impact in USD with the details link', () => {
    expect(sns.labels).toEqual({
      source: 'cost-anomaly',
      kind: 'cost-anomaly',
      account: '123456789012',
      region: 'global',
      monitor: '3f6a9c2e-5b8d-4e1f-a7c0-9d2b4e6f8a1c',
      service: 'Amazon Elastic Compute Cloud - Compute',
      anomalyId: 'b7e2c9a4-1d6f-4a3b-8e5c-2f9a7d4b1c6e',
    });
    expect(eventBridge.labels).toEqual(sns.labels);
    expect(sns.annotations).toMatchObject({
      impact: '$1,013.65 above expected ($1,402.17 spent, $388.52 expected, +260.9%)',
      impactUsd: '1013.65',
      rootCauseRegion: 'us-east-1',
    });
    expect(sns.annotations.summary).toBe(
      'Cost anomaly in Amazon Elastic Compute Cloud - Compute: $1,013.65 above expected since 2026-03-09 (monitor 3f6a9c2e-5b8d-4e1f-a7c0-9d2b4e6f8a1c, account 123456789012)',
    );
    expect(eventBridge.annotations.monitorName).toBe('aws-services');
    expect(sns.annotations.description).toMatch(
      /^Root causes:\nAmazon Elastic Compute Cloud - Compute, USE1-NatGateway-Bytes/,
    );
    const link =
      'https://console.aws.amazon.com/cost-management/home#/anomaly-detection/monitors/3f6a9c2e-5b8d-4e1f-a7c0-9d2b4e6f8a1c/anomalies/b7e2c9a4-1d6f-4a3b-8e5c-2f9a7d4b1c6e';
    expect(sns.links).toEqual([{ text: 'Cost Anomaly Detection: anomaly details', url: link }]);
    expect(sns.annotations.consoleUrl).toBe(link);
    expect(sns.startsAt).toBe('2026-03-09T00:00:00.000Z');
    expect(sns.status).toBe('firing');
    expect(sns.defaultSeverity).toBe('info');
  });

  it('a grown anomaly is a new transition of the same fingerprint', () => {
    const grown = only(
      edited('cost-anomaly/eventbridge-anomaly-detected.json', (e) => {
        (detailOf(e).impact as Json).totalImpact = 1500;
      }),
    );
    expect(grown.fingerprint).toBe(eventBridge.fingerprint);
    expect(grown.transitionId).not.toBe(eventBridge.transitionId);
  });

  it('only the documented shape is a cost anomaly, and a bad one names the field', () => {
    const message = JSON.parse(
      ((fixture('cost-anomaly/sns-anomaly-individual-alert.json') as { Records: Array<{ Sns: Json }> })
        .Records[0]?.Sns.Message as string) ?? '{}',
    ) as Json;
    expect(isCostAnomalyMessage(message)).toBe(true);
    expect(isCostAnomalyMessage({ ...message, AlarmName: 'x' })).toBe(false);
    expect(isCostAnomalyMessage({ ...message, 'detail-type': 'Anomaly Detected' })).toBe(false);
    expect(isCostAnomalyMessage({ anomalyId: 'a', monitorArn: 'b' })).toBe(false);
    const bad = edited('cost-anomaly/sns-anomaly-individual-alert.json', (e) => {
      const sns = (e as { Records: Array<{ Sns: Json }> }).Records[0]?.Sns;
      if (sns) sns.Message = JSON.stringify({ ...message, impact: { totalImpact: '1013.65' } });
    });
    expect(single(bad)).toEqual({
      kind: 'invalid',
      reason:
        'Cost Anomaly Detection SNS message: impact.totalImpact: Invalid input: expected number, received string',
    });
    const badArn = edited('cost-anomaly/eventbridge-anomaly-detected.json', (e) => {
      detailOf(e).monitorArn = 'monitor-1';
    });
    expect(single(badArn)).toMatchObject({
      kind: 'invalid',
      reason: 'Cost Anomaly Detection event: monitorArn: a Cost Anomaly Detection monitor ARN',
    });
  });
});

describe('registry', () => {
  it('lists every informational source and detail-type explicitly', () => {
    expect([...EVERY_SOURCE.eventBridgeNormalizers.keys()]).toEqual(
      expect.arrayContaining([
        'aws.health|AWS Health Event',
        'aws.health|AWS Health Abuse Event',
        'aws.codedeploy|CodeDeploy Deployment State-change Notification',
        'aws.ecs|ECS Deployment State Change',
        'aws.autoscaling|EC2 Instance Launch Successful',
        'aws.autoscaling|EC2 Instance Launch Unsuccessful',
        'aws.autoscaling|EC2 Instance Terminate Successful',
        'aws.autoscaling|EC2 Instance Terminate Unsuccessful',
        'aws.autoscaling|EC2 Instance-launch Lifecycle Action',
        'aws.autoscaling|EC2 Instance-terminate Lifecycle Action',
        'aws.ce|Anomaly Detected',
      ]),
    );
  });
});

const config = loadConfig(repoText('klaxon.yml'));

describe('failed deployments', () => {
  it('also raise a firing point event of their own, which a rule can page on (a resolve never could)', () => {
    for (const file of [
      'codedeploy/eventbridge-deployment-failure.json',
      'ecs/eventbridge-deployment-failed.json',
    ]) {
      const [ended, failure] = endedAndFailure(fixture(file));
      expect(ended).toMatchObject({ status: 'resolved' });
      expect(ended.pointEvent).toBeUndefined();
      expect(failure).toMatchObject({
        status: 'firing',
        pointEvent: true,
        fingerprint: `${ended.fingerprint}|failed`,
        labels: { ...ended.labels, outcome: 'failed' },
      });
      expect(failure.transitionId).toMatch(/^.+\|failed\|\d+$/);
    }
  });
});

describe('severity of informational alerts (classify)', () => {
  const [, failure] = endedAndFailure(fixture('codedeploy/eventbridge-deployment-failure.json'));

  it('is the source default (info) when no rule matches, not defaults.severity', () => {
    expect(config.defaults.severity).toBe('warning');
    const { alert, severitySource } = classify(failure, config);
    expect(alert.severity).toBe('info');
    expect(severitySource).toBe('default');
    expect(alert).not.toHaveProperty('defaultSeverity');
  });

  it('yields to a severity rule that matches (a failed deployment made a warning)', () => {
    const withRule = loadConfig(
      repoText('klaxon.yml').replace(
        'severity:\n',
        'severity:\n  - match: { kind: deployment, deploymentState: [FAILURE, SERVICE_DEPLOYMENT_FAILED] }\n    severity: warning\n',
      ),
    );
    expect(classify(failure, withRule)).toMatchObject({
      alert: { severity: 'warning' },
      severitySource: 'rule',
    });
    const [, ecsFailed] = endedAndFailure(fixture('ecs/eventbridge-deployment-failed.json'));
    expect(classify(ecsFailed, withRule).alert.severity).toBe('warning');
    const start = only(fixture('codedeploy/eventbridge-deployment-start.json'));
    expect(classify(start, withRule)).toMatchObject({
      alert: { severity: 'info' },
      severitySource: 'default',
    });
  });

  it('leaves other sources on defaults.severity, and an event hint still wins', () => {
    const { defaultSeverity: _unused, pointEvent: _point, ...plain } = failure;
    expect(classify(plain, config).alert.severity).toBe('warning');
    const hinted = { ...failure, severityHint: { word: 'critical', from: 'test' } };
    expect(classify(hinted, config)).toMatchObject({
      alert: { severity: 'critical' },
      severitySource: 'event',
    });
  });
});

const INFORMATIONAL_FOLDERS = SOURCES.filter((d) => d.informational).map((d) => d.id);
const informationalFixtures = INFORMATIONAL_FOLDERS.flatMap((folder) =>
  readdirSync(join(REPO_ROOT, 'events', folder))
    .filter((file) => file.endsWith('.json'))
    .map((file) => `${folder}/${file}`),
);

function previewDeps() {
  return {
    config,
    receivers: createReceivers(config.receivers, {
      secrets: new LocalSecretResolver({}),
      post: async () => {
        throw new Error('a preview must not touch the network');
      },
      clock: systemClock,
      consoleSink: () => {},
    }),
    mode: 'preview' as const,
    observer: silentObserver,
    now: () => new Date('2026-03-14T10:00:00Z'),
  };
}

describe('informational fixtures replayed with the example klaxon.yml', () => {
  it('has at least two fixtures per source', () => {
    for (const folder of INFORMATIONAL_FOLDERS)
      expect(informationalFixtures.filter((f) => f.startsWith(`${folder}/`)).length).toBeGreaterThanOrEqual(
        2,
      );
  });

  it.each(informationalFixtures)('%s: info (abuse: warning), a closed kind, never a pager', async (file) => {
    const result = await processEventText(repoText(`events/${file}`), previewDeps());
    for (const { decision } of result.alerts) {
      const { alert } = decision;
      expect(INFORMATIONAL_SOURCES).toContain(alert.labels.source);
      expect(INFORMATIONAL_KINDS).toContain(alert.labels.kind);
      expect(informationalOf(alert.labels)).toEqual({ source: alert.labels.source, kind: alert.labels.kind });
      expect(alert.severity).toBe(alert.labels.eventTypeCode?.startsWith('AWS_ABUSE_') ? 'warning' : 'info');
      for (const receiver of decision.receivers)
        expect(config.receivers[receiver]?.type).not.toBe('pagerduty');
    }
  });
});

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

describe('InformationalEvents metric and the decision line', () => {
  it('counts one per informational alert by source and kind, none for alarms, and logs kind and summary', async () => {
    expect(METRIC_DIMENSIONS.InformationalEvents).toEqual(['source', 'kind']);
    expect(DIMENSION_VALUES.kind).toEqual([...INFORMATIONAL_KINDS]);
    output = captureOutput();
    const observer = new PowertoolsObserver(
      new Logger({ serviceName: 'klaxon' }),
      new Metrics({ namespace: 'Klaxon', serviceName: 'klaxon' }),
      { isTracingEnabled: () => false } as unknown as Tracer,
    );
    const deps = { ...previewDeps(), observer };
    await processEvent(fixture('codedeploy/eventbridge-deployment-start.json'), deps);
    await processEvent(fixture('cost-anomaly/sns-anomaly-individual-alert.json'), deps);
    await processEvent(fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json'), deps);
    const lines = output.lines().map((line) => JSON.parse(line) as Json);
    const counted = lines
      .filter((l) => 'InformationalEvents' in l)
      .map((l) => [l.source, l.kind, l.InformationalEvents]);
    expect(counted).toEqual([
      ['codedeploy', 'deployment', 1],
      ['cost-anomaly', 'cost-anomaly', 1],
    ]);
    const decisions = lines.filter((l) => l.message === 'alert decided').map((l) => l.decision as Json);
    expect(decisions[0]).toMatchObject({
      source: 'codedeploy',
      kind: 'deployment',
      summary:
        'CodeDeploy deployment d-7XK2M9Q4B of checkout-api/prod-fleet started (123456789012/us-east-1)',
    });
    expect(decisions[2]).not.toHaveProperty('kind');
  });
});

describe('informational names in tables', () => {
  it('names each kind by what identifies it, and leaves other alerts to the caller', () => {
    expect(informationalName(only(fixture('health/eventbridge-health-event-issue-open.json')).labels)).toBe(
      'AWS_EC2_OPERATIONAL_ISSUE',
    );
    expect(informationalName(only(fixture('codedeploy/eventbridge-deployment-start.json')).labels)).toBe(
      'checkout-api d-7XK2M9Q4B',
    );
    expect(
      informationalName(only(fixture('autoscaling/eventbridge-instance-launch-successful.json')).labels),
    ).toBe('web-prod-asg launch');
    expect(informationalName(only(fixture('cost-anomaly/eventbridge-anomaly-detected.json')).labels)).toBe(
      'cost anomaly Amazon Elastic Compute Cloud - Compute',
    );
    expect(informationalName({ source: 'klaxon', kind: 'notice' })).toBeUndefined();
  });
});
