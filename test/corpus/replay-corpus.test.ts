import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { silentObserver } from '../../shared/observability/observer';
import { type ProcessResult, processEventText } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { Remediator } from '../../shared/remediation/remediator';
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
  // As in `npm start`: remediation rules are evaluated, always as dry runs.
  remediator: new Remediator({
    config,
    observer: silentObserver,
    now: () => new Date('2026-03-14T10:00:00Z'),
  }),
};

type Expected = {
  outcome: ProcessResult['outcome'];
  alerts?: Array<{ severity: string; status: string; receivers: string[]; suppressed?: RegExp }>;
  reason?: RegExp;
};

const PAGE = ['oncall', 'alerts'];
const CHAT = ['alerts'];
const INFO = ['log'];

/** What the example configuration decides for every shipped fixture. */
const EXPECTED: Record<string, Expected> = {
  // Forged events (docs/threat-model.md): refused, or kept at info and never remediated.
  'forged/eventbridge-custom-source-root-usage.json': { outcome: 'ignored' },
  // A replay cannot ask CloudWatch: the alarm-state stage refuses this OK when deployed.
  'forged/sns-ok-for-alarm-still-in-alarm.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'resolved', receivers: PAGE }],
  },
  // EventBridge events inside SNS messages: klaxon.yml lists no topic in intake.eventBridgeOverSns.
  'forged/sns-wrapped-cloudtrail-sg-open-to-world.json': { outcome: 'ignored' },
  'forged/sns-eventbridge-alarm-state-change-on-alarm-topic.json': { outcome: 'ignored' },
  'forged/sns-eventbridge-guardduty-unlisted-account.json': { outcome: 'ignored' },
  'forged/sns-eventbridge-ssm-automation-success.json': { outcome: 'ignored' },
  // The alarm is placed by the payload's account and Region (the ARN CloudWatch would give it), noted.
  'cloudwatch-alarm/alarm-action-bad-arn.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
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
  // No AlarmArn: placed in the topic's Region and the message's account, noted.
  'cloudwatch-alarm/sns-metric-alarm-no-alarm-arn.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
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
  // Remediation: the unhealthy-instance alarm of the example restart rule (a dry run).
  'cloudwatch-alarm/sns-web-unhealthy-instance.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  // SSM status changes of remediations: a replay has no state table to map them to their alert.
  'ssm/eventbridge-automation-execution-failed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: [], suppressed: /no state table/ }],
  },
  'ssm/eventbridge-automation-execution-in-progress.json': { outcome: 'ignored' },
  'ssm/eventbridge-automation-execution-success.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: [], suppressed: /no state table/ }],
  },
  'ssm/eventbridge-command-success.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: [], suppressed: /no state table/ }],
  },
  'sns/sns-eventbridge-event.json': { outcome: 'ignored' },
  // Accepted only once its topic is opted in (test/unit/stages/trust.test.ts).
  'sns/sns-eventbridge-guardduty-forwarded.json': { outcome: 'ignored' },
  // Informational sources: info alerts to the log (dashboard and digest), never a page.
  'health/eventbridge-health-abuse-event.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  // An unknown statusCode is kept as given, read as open, and noted (unreadable).
  'health/eventbridge-health-event-bad-status.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'health/eventbridge-health-event-no-status-code.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'health/eventbridge-health-event-issue-closed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'resolved', receivers: INFO }],
  },
  'health/eventbridge-health-event-issue-open.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'health/eventbridge-health-event-scheduled-change-upcoming.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'codedeploy/eventbridge-deployment-failure.json': {
    outcome: 'alerts',
    // The in-progress alert resolves; the failure is its own point event (a severity rule can page it).
    alerts: [
      { severity: 'info', status: 'resolved', receivers: INFO },
      { severity: 'info', status: 'firing', receivers: INFO },
    ],
  },
  'codedeploy/eventbridge-deployment-start.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'codedeploy/eventbridge-deployment-success.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'resolved', receivers: INFO }],
  },
  'ecs/eventbridge-deployment-completed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'resolved', receivers: INFO }],
  },
  'ecs/eventbridge-deployment-failed.json': {
    outcome: 'alerts',
    // The in-progress alert resolves; the failure is its own point event (a severity rule can page it).
    alerts: [
      { severity: 'info', status: 'resolved', receivers: INFO },
      { severity: 'info', status: 'firing', receivers: INFO },
    ],
  },
  'ecs/eventbridge-deployment-in-progress.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'autoscaling/eventbridge-instance-launch-successful.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'autoscaling/eventbridge-instance-launch-unsuccessful.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'autoscaling/eventbridge-instance-terminate-lifecycle-action.json': { outcome: 'ignored' },
  'autoscaling/eventbridge-instance-terminate-successful.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cost-anomaly/eventbridge-anomaly-detected.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cost-anomaly/sns-anomaly-individual-alert.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'sns/sns-plain-text.json': { outcome: 'ignored' },
  'unrecognized/not-json.json': { outcome: 'invalid', reason: /^not JSON/ },
  'unrecognized/unknown-shape.json': { outcome: 'invalid', reason: /unrecognized event shape/ },
  // Inputs of the other functions (serverless invoke local): not alerts, and the alert intake says so.
  'scheduled/eventbridge-digest-schedule.json': { outcome: 'ignored' },
  'scheduled/eventbridge-heartbeat-schedule.json': { outcome: 'ignored' },
  'scheduled/eventbridge-self-check-schedule.json': { outcome: 'ignored' },
  'sqs/delivery-retry-deliver-job.json': { outcome: 'invalid', reason: /not an SNS record/ },
  'sqs/slack-actions-click.json': { outcome: 'invalid', reason: /not an SNS record/ },
  'function-url/remediator-approval-get.json': { outcome: 'invalid', reason: /unrecognized event shape/ },
  'function-url/slack-actions-interaction.json': { outcome: 'invalid', reason: /unrecognized event shape/ },
  // Security detections and findings: severity from the catalog / the finding.
  'cloudtrail/eventbridge-account-contacts-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-account-contacts-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-backup-recovery-points-deleted-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-backup-recovery-points-deleted-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-4-15-organizations-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-4-15-organizations-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-negative-failed-login.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-negative-invoked-by-service.json': {
    outcome: 'ignored',
  },
  'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-positive-session-call.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-1-root-usage-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-10-security-group-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-10-security-group-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-11-nacl-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-11-nacl-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-12-network-gateway-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-12-network-gateway-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-13-route-table-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-13-route-table-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-14-vpc-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-14-vpc-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-2-unauthorized-api-calls-negative-head-bucket.json': {
    outcome: 'ignored',
  },
  'cloudtrail/eventbridge-cis-cloudwatch-2-unauthorized-api-calls-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-2-unauthorized-api-calls-positive-access-denied-read.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-2-unauthorized-api-calls-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-negative-federated.json': {
    outcome: 'ignored',
  },
  'cloudtrail/eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-negative-mfa-upper-case.json': {
    outcome: 'ignored',
  },
  'cloudtrail/eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-3-console-sign-in-without-mfa-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-4-iam-policy-changes-negative-access-denied.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-4-iam-policy-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-4-iam-policy-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-5-cloudtrail-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-5-cloudtrail-changes-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-6-console-auth-failures-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-6-console-auth-failures-positive-masked-user-name.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-6-console-auth-failures-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-7-cmk-disabled-or-deleted-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-7-cmk-disabled-or-deleted-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-8-s3-bucket-policy-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-8-s3-bucket-policy-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cis-cloudwatch-9-config-changes-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cis-cloudwatch-9-config-changes-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cloudtrail-logging-disabled-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cloudtrail-logging-disabled-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-management-events-disabled-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cloudtrail-management-events-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-sources-excluded-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cloudtrail-sources-excluded-positive-advanced.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-sources-excluded-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-trail-weakened-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-cloudtrail-trail-weakened-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cloudtrail-trail-weakened-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-cloudwatch-alarms-silenced-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-cloudwatch-alarms-silenced-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-config-recording-stopped-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-config-recording-stopped-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-config-rules-deleted-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-config-rules-deleted-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  // A discovery call alone is counted toward a burst (docs/detections.md), never alerted.
  'cloudtrail/eventbridge-discovery-burst-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-discovery-burst-positive-denied.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-discovery-burst-positive.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-dns-query-logging-removed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-dns-query-logging-removed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ebs-default-encryption-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ebs-default-encryption-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ec2-gpu-instances-launched-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ec2-gpu-instances-launched-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ec2-imdsv1-allowed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ec2-imdsv1-allowed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ec2-instance-connect-key-pushed-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-ec2-instance-connect-key-pushed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-ec2-instances-mass-terminated-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ec2-instances-mass-terminated-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ec2-password-data-retrieved-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ec2-password-data-retrieved-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'warning', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-ec2-password-data-retrieved-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ec2-user-data-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ec2-user-data-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ecs-execute-command-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ecs-execute-command-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-eventbridge-rule-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-eventbridge-rule-disabled-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-eventbridge-rule-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-guardduty-detector-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-guardduty-detector-disabled-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-guardduty-detector-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-guardduty-findings-suppressed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-guardduty-findings-suppressed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-guardduty-monitoring-reduced-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-guardduty-monitoring-reduced-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-guardduty-monitoring-reduced-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-guardduty-protection-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-guardduty-protection-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-access-key-for-another-user-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-access-key-for-another-user-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-admin-inline-policy-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-admin-inline-policy-positive-version.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-admin-inline-policy-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-admin-policy-attached-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-admin-policy-attached-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-authorization-details-enumerated-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-authorization-details-enumerated-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'warning', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-authorization-details-enumerated-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-credential-report-read-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-credential-report-read-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-iam-login-profile-for-another-user-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-login-profile-for-another-user-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-mfa-deactivated-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-mfa-deactivated-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-mfa-device-registered-by-session-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-mfa-device-registered-by-session-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-oidc-provider-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-oidc-provider-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-policy-default-version-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-policy-default-version-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-role-trust-policy-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-role-trust-policy-changed-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-role-trusts-foreign-account-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-role-trusts-foreign-account-positive-create.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-role-trusts-foreign-account-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-root-access-key-created-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-root-access-key-created-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-iam-root-login-profile-created-negative.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'critical', status: 'firing', receivers: PAGE },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-iam-root-login-profile-created-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'critical', status: 'firing', receivers: PAGE },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-iam-saml-provider-changed-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-iam-saml-provider-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-user-added-to-privileged-group-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-user-added-to-privileged-group-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-iam-user-created-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-iam-user-created-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-identity-center-permissions-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-identity-center-permissions-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  // klaxon.yml sets security.egressCidrs [203.0.113.0/24]: these calls come from elsewhere.
  'cloudtrail/eventbridge-instance-credentials-used-elsewhere-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-instance-credentials-used-elsewhere-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-instance-credentials-used-elsewhere-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-kms-key-policy-changed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-kms-key-policy-changed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-lambda-function-url-public-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-lambda-function-url-public-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-log-group-deleted-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-log-group-deleted-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-organizations-leave-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-organizations-leave-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-organizations-leave-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-ram-share-external-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ram-share-external-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-rds-deleted-without-backup-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-rds-deleted-without-backup-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-rds-instance-made-public-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-rds-instance-made-public-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-root-password-recovery-requested-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-root-password-recovery-requested-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-access-logging-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-access-logging-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-account-block-public-access-removed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-account-block-public-access-removed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-s3-bucket-block-public-access-removed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-bucket-block-public-access-removed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-bucket-made-public-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-bucket-made-public-positive-acl.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-s3-bucket-made-public-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-s3-bucket-policy-foreign-account-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-bucket-policy-foreign-account-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-s3-lifecycle-expires-objects-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-lifecycle-expires-objects-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-s3-mass-object-deletion-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  // One deletion is counted toward the threshold, not alerted.
  'cloudtrail/eventbridge-s3-mass-object-deletion-positive.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-object-lock-removed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-object-lock-removed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-replication-to-foreign-account-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-s3-replication-to-foreign-account-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'warning', status: 'firing', receivers: CHAT },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-s3-versioning-suspended-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-s3-versioning-suspended-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-secrets-batch-retrieved-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-secrets-batch-retrieved-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-security-service-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-security-service-disabled-positive-inspector.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-security-service-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-securityhub-disabled-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-securityhub-disabled-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-securityhub-disabled-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-securityhub-findings-suppressed-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-securityhub-findings-suppressed-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-sg-open-to-world-admin-port-negative-https.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-sg-open-to-world-admin-port-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-sg-open-to-world-admin-port-positive-ipv6.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-sg-open-to-world-admin-port-positive.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'critical', status: 'firing', receivers: PAGE },
    ],
  },
  'cloudtrail/eventbridge-snapshot-or-image-exported-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-snapshot-or-image-exported-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'warning', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-snapshot-or-image-made-public-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-snapshot-or-image-made-public-positive-ami.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-snapshot-or-image-made-public-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'cloudtrail/eventbridge-snapshot-or-image-shared-cross-account-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-snapshot-or-image-shared-cross-account-positive-rds.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-snapshot-or-image-shared-cross-account-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ssm-command-on-many-instances-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ssm-command-on-many-instances-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-ssm-session-started-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-ssm-session-started-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-sts-assume-root-negative.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: INFO }],
  },
  'cloudtrail/eventbridge-sts-assume-root-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-vpc-flow-logs-deleted-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-vpc-flow-logs-deleted-positive-denied.json': {
    outcome: 'alerts',
    alerts: [
      { severity: 'info', status: 'firing', receivers: INFO },
      { severity: 'error', status: 'firing', receivers: CHAT },
    ],
  },
  'cloudtrail/eventbridge-vpc-flow-logs-deleted-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'cloudtrail/eventbridge-vpc-traffic-mirroring-created-negative.json': { outcome: 'ignored' },
  'cloudtrail/eventbridge-vpc-traffic-mirroring-created-positive.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'guardduty/eventbridge-finding-archived.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'resolved', receivers: CHAT }],
  },
  'guardduty/eventbridge-finding-critical-credential-exfiltration.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  // The European Sovereign Cloud: an alert like any other, without a console link.
  'guardduty/eventbridge-finding-eusc-credential-exfiltration.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'guardduty/eventbridge-finding-low-port-probe.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'firing', receivers: ['log'] }],
  },
  'guardduty/eventbridge-finding-new.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'guardduty/eventbridge-finding-sdk-pascal-case.json': {
    outcome: 'invalid',
    reason: /^GuardDuty finding: accountId/,
  },
  'guardduty/eventbridge-finding-updated.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  // An analyst sent a CRITICAL finding to a custom action: its own alert, paged.
  'securityhub/eventbridge-findings-custom-action.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'securityhub/eventbridge-findings-imported-archived.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'resolved', receivers: CHAT }],
  },
  'securityhub/eventbridge-findings-imported-critical-root-access-key.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'critical', status: 'firing', receivers: PAGE }],
  },
  'securityhub/eventbridge-findings-imported-empty.json': {
    outcome: 'invalid',
    reason: /^Security Hub findings: findings/,
  },
  'securityhub/eventbridge-findings-imported-from-guardduty.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'securityhub/eventbridge-findings-imported-new.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
  'securityhub/eventbridge-findings-imported-passed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'info', status: 'resolved', receivers: ['log'] }],
  },
  'securityhub/eventbridge-findings-imported-resolved.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'resolved', receivers: CHAT }],
  },
  'securityhub/eventbridge-findings-imported-suppressed.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'resolved', receivers: CHAT }],
  },
  'securityhub/eventbridge-findings-imported-updated.json': {
    outcome: 'alerts',
    alerts: [{ severity: 'error', status: 'firing', receivers: CHAT }],
  },
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
