import { createHash } from 'node:crypto';
import type { SecurityRule } from '../security/rules';
import securityRuleStates from './security-rule-states.json';

/**
 * `klaxon doctor`: read-only checks of what feeds Klaxon. Each check is a function over a small
 * {@link DoctorPort} (one adapter, shared/onboarding/doctor-aws.ts, implements it with the AWS
 * SDK), so each is unit-testable with a fake; an API that fails becomes a "could not check"
 * finding, never a crash.
 */

export type FindingSeverity = 'error' | 'warning' | 'info' | 'ok';

/** One thing the doctor found; `fix` says what to do about it (empty for `ok`). */
export interface Finding {
  check: 'trail' | 'rules' | 'topic' | 'alarms' | 'secrets';
  severity: FindingSeverity;
  message: string;
  fix?: string;
  /**
   * What the finding is about, stable while the message is not (it embeds counts, lists, key ids or
   * error details): e.g. `security-rules-missing`, `trail:<arn>:partial-management-events`,
   * `alarm:<name>:no-ok-action`. Unique within its check. The self-check identifies a finding by it
   * (else by the message), so a changed count updates an open alert rather than resolving it and
   * raising a new one. Never shown by `klaxon doctor`.
   */
  subject?: string;
}

export interface TrailFacts {
  name: string;
  arn: string;
  homeRegion?: string;
  multiRegion: boolean;
  logFileValidation: boolean;
  kmsKeyId?: string;
}

export interface EventSelectorFacts {
  /** Classic selectors, with their data resources (`AWS::S3::Object` and ARN prefixes). */
  selectors: Array<{
    includeManagementEvents?: boolean;
    readWriteType?: string;
    dataResources?: Array<{ type?: string; values?: string[] }>;
  }>;
  /** Advanced selectors: each one's field selectors. */
  advanced: Array<Array<{ field: string; equals?: string[]; startsWith?: string[] }>>;
}

export interface RuleFacts {
  name: string;
  state?: string;
}

export interface TopicFacts {
  arn: string;
  policy?: string;
  kmsMasterKeyId?: string;
}

export interface AlarmFacts {
  name: string;
  kind: 'metric' | 'composite';
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
}

/** What the checks ask AWS (all read-only). */
export interface DoctorPort {
  region: string;
  describeTrails(): Promise<TrailFacts[]>;
  trailIsLogging(arn: string): Promise<boolean>;
  eventSelectors(arn: string): Promise<EventSelectorFacts>;
  /** Rules whose names start with `prefix`, in `region` (default: the port's region). */
  listRules(prefix: string, region?: string): Promise<RuleFacts[]>;
  /** The topic named `name` in the region, with its attributes, or undefined. */
  findTopic(name: string): Promise<TopicFacts | undefined>;
  describeAlarms(): Promise<AlarmFacts[]>;
  /** Whether the parameter exists (read without decryption; the value is never returned). */
  parameterExists(name: string): Promise<boolean>;
  /** Names of the buckets tagged sensitive (see {@link isSensitiveTagSet}). */
  sensitiveBuckets(): Promise<string[]>;
}

/**
 * Whether a bucket's tags mark it sensitive: `sensitive` = true/yes, or `data-classification` (or
 * `classification`) = sensitive, confidential or restricted, case-insensitive. Those buckets should
 * have their S3 data events (object reads and writes) logged by a trail.
 */
export function isSensitiveTagSet(tags: ReadonlyArray<{ key?: string; value?: string }>): boolean {
  return tags.some(({ key, value }) => {
    const k = (key ?? '').toLowerCase();
    const v = (value ?? '').toLowerCase();
    if (k === 'sensitive') return v === 'true' || v === 'yes';
    return (
      (k === 'data-classification' || k === 'classification') &&
      ['sensitive', 'confidential', 'restricted'].includes(v)
    );
  });
}

/** Whether the selectors log S3 object-level (data) events of `bucket` (all of its objects). */
export function logsS3DataEvents(selectors: EventSelectorFacts, bucket: string, partition = 'aws'): boolean {
  const all = [`arn:${partition}:s3`, `arn:${partition}:s3:::`];
  const whole = `arn:${partition}:s3:::${bucket}/`;
  const classic = selectors.selectors.some((s) =>
    (s.dataResources ?? []).some(
      (r) => r.type === 'AWS::S3::Object' && (r.values ?? []).some((v) => all.includes(v) || v === whole),
    ),
  );
  const advanced = selectors.advanced.some((fields) => {
    const of = (name: string) => fields.find((f) => f.field === name);
    if (!of('eventCategory')?.equals?.includes('Data')) return false;
    if (!of('resources.type')?.equals?.includes('AWS::S3::Object')) return false;
    const arn = of('resources.ARN');
    // No ARN condition: every bucket. Otherwise a prefix covering the whole bucket.
    return !arn || (arn.startsWith ?? []).some((p) => all.includes(p) || p === whole);
  });
  return classic || advanced;
}

/** What the checks know about the deployment. */
export interface DoctorContext {
  stage: string;
  /** `{ssm: name}` references of klaxon.yml: name → where in the file. */
  secrets: Array<{ name: string; path: string }>;
}

export type Check = (port: DoctorPort, context: DoctorContext) => Promise<Finding[]>;

function couldNotCheck(check: Finding['check'], what: string, error: unknown): Finding {
  const e = error as { name?: string; message?: string };
  return {
    check,
    severity: 'warning',
    message: `could not check ${what}: ${e.name ?? 'Error'}${e.message ? `: ${e.message.split('\n')[0]}` : ''}`,
    fix: 'Run with credentials that may read it (the doctor only calls Describe/Get/List APIs), or check it by hand.',
    subject: `could-not-check:${what}`,
  };
}

/** Runs `body`, turning any failure into a "could not check" finding. */
async function guarded(
  check: Finding['check'],
  what: string,
  body: () => Promise<Finding[]>,
): Promise<Finding[]> {
  try {
    return await body();
  } catch (error) {
    return [couldNotCheck(check, what, error)];
  }
}

/** Whether the event selectors log management events, and whether reads are included. */
export function managementEvents(selectors: EventSelectorFacts): 'all' | 'write-only' | 'read-only' | 'none' {
  const kinds = new Set<string>();
  for (const s of selectors.selectors) {
    if (s.includeManagementEvents === false) continue;
    kinds.add(s.readWriteType ?? 'All');
  }
  for (const fields of selectors.advanced) {
    const category = fields.find((f) => f.field === 'eventCategory');
    if (!category?.equals?.includes('Management')) continue;
    const readOnly = fields.find((f) => f.field === 'readOnly');
    kinds.add(
      readOnly?.equals?.includes('true')
        ? 'ReadOnly'
        : readOnly?.equals?.includes('false')
          ? 'WriteOnly'
          : 'All',
    );
  }
  if (kinds.has('All') || (kinds.has('ReadOnly') && kinds.has('WriteOnly'))) return 'all';
  if (kinds.has('WriteOnly')) return 'write-only';
  if (kinds.has('ReadOnly')) return 'read-only';
  return 'none';
}

/** A multi-region trail, logging, with log file validation, KMS encryption and management events. */
export const checkTrail: Check = (port) =>
  guarded('trail', 'CloudTrail trails', async () => {
    const trails = await port.describeTrails();
    const multi = trails.filter((t) => t.multiRegion);
    if (multi.length === 0) {
      return [
        {
          check: 'trail',
          severity: 'error',
          message:
            trails.length === 0
              ? 'no CloudTrail trail: security detections receive no API calls outside the 90-day event history'
              : `no multi-region trail (${trails.map((t) => t.name).join(', ')} log one region only)`,
          subject: 'no-multi-region-trail',
          fix: 'aws cloudtrail create-trail --name org-trail --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation --kms-key-id <key> && aws cloudtrail start-logging --name org-trail',
        },
      ];
    }
    const perTrail: Finding[][] = [];
    const covering: Array<{ trail: TrailFacts; selectors: EventSelectorFacts }> = [];
    for (const trail of multi) {
      const found: Finding[] = [];
      const logging = await port.trailIsLogging(trail.arn).catch((error: unknown) => {
        found.push(couldNotCheck('trail', `whether ${trail.name} is logging (GetTrailStatus)`, error));
        return undefined;
      });
      if (logging === false)
        found.push({
          check: 'trail',
          severity: 'error',
          message: `trail ${trail.name} is not logging`,
          subject: `trail:${trail.arn}:not-logging`,
          fix: `aws cloudtrail start-logging --name ${trail.arn}`,
        });
      if (!trail.logFileValidation)
        found.push({
          check: 'trail',
          severity: 'warning',
          message: `trail ${trail.name} has no log file validation (tampering with its logs would go unnoticed)`,
          subject: `trail:${trail.arn}:no-log-file-validation`,
          fix: `aws cloudtrail update-trail --name ${trail.arn} --enable-log-file-validation`,
        });
      if (!trail.kmsKeyId)
        found.push({
          check: 'trail',
          severity: 'warning',
          message: `trail ${trail.name} is not encrypted with a KMS key (SSE-KMS)`,
          subject: `trail:${trail.arn}:not-kms-encrypted`,
          fix: `aws cloudtrail update-trail --name ${trail.arn} --kms-key-id <key arn or alias> (the key policy must allow cloudtrail.amazonaws.com)`,
        });
      const selectors = await port.eventSelectors(trail.arn).catch((error: unknown) => {
        found.push(couldNotCheck('trail', `the event selectors of ${trail.name} (GetEventSelectors)`, error));
        return undefined;
      });
      if (selectors && logging !== false) covering.push({ trail, selectors });
      const management = selectors ? managementEvents(selectors) : 'all';
      if (management === 'none')
        found.push({
          check: 'trail',
          severity: 'error',
          message: `trail ${trail.name} does not log management events: security detections never fire`,
          subject: `trail:${trail.arn}:no-management-events`,
          fix: `aws cloudtrail put-event-selectors --trail-name ${trail.arn} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
        });
      else if (management !== 'all')
        found.push({
          check: 'trail',
          severity: 'warning',
          message: `trail ${trail.name} logs ${management} management events only (the read-only detections need all)`,
          subject: `trail:${trail.arn}:partial-management-events`,
          fix: `aws cloudtrail put-event-selectors --trail-name ${trail.arn} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
        });
      perTrail.push(found);
    }
    const buckets = await sensitiveBucketFindings(port, covering);
    const healthy = multi.findIndex((_, i) => perTrail[i]?.length === 0);
    if (healthy >= 0) {
      const trail = multi[healthy] as TrailFacts;
      return [
        {
          check: 'trail',
          severity: 'ok',
          message: `trail ${trail.name}: multi-region, logging, log file validation, KMS-encrypted, all management events`,
        },
        ...buckets,
      ];
    }
    return [...perTrail.flat(), ...buckets];
  });

/** Buckets tagged sensitive whose S3 data events no logging multi-region trail records. */
async function sensitiveBucketFindings(
  port: DoctorPort,
  covering: ReadonlyArray<{ trail: TrailFacts; selectors: EventSelectorFacts }>,
): Promise<Finding[]> {
  let buckets: string[];
  try {
    buckets = await port.sensitiveBuckets();
  } catch (error) {
    return [
      couldNotCheck('trail', 'which buckets are tagged sensitive (ListBuckets, GetBucketTagging)', error),
    ];
  }
  const uncovered = buckets.filter(
    (bucket) =>
      !covering.some(({ trail, selectors }) =>
        logsS3DataEvents(selectors, bucket, trail.arn.split(':')[1] || 'aws'),
      ),
  );
  const trail = covering[0]?.trail.arn ?? '<trail>';
  return uncovered.map((bucket) => ({
    check: 'trail' as const,
    severity: 'warning' as const,
    message: `bucket ${bucket} is tagged sensitive, but no trail logs its S3 data events (who read or changed which object goes unrecorded)`,
    subject: `bucket:${bucket}:no-data-events`,
    fix:
      `Add to the trail's advanced event selectors (put-event-selectors replaces them all, so keep the existing ones): ` +
      `aws cloudtrail put-event-selectors --trail-name ${trail} --advanced-event-selectors ` +
      `'[<existing selectors>, {"Name":"sensitive bucket ${bucket}","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},` +
      `{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::${bucket}/"]}]}]'`,
  }));
}

/** Rule names as deploy/security-rules.cjs makes them (at most 64 characters). */
export function securityRuleName(stage: string, id: string): string {
  const prefix = `klaxon-${stage}-sec-`;
  const room = 64 - prefix.length;
  if (id.length <= room) return prefix + id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 6);
  return `${prefix}${id.slice(0, room - 7)}-${hash}`;
}

/**
 * The alarm state-change rule: osls names it after the function and the event's position in the
 * function's `events` (`klaxon-<stage>-alarmNotifier-rule-<n>`, n = 2 today), so match the prefix.
 */
export function alarmRulePrefix(stage: string): string {
  return `klaxon-${stage}-alarmNotifier-rule-`;
}

/** Klaxon's EventBridge rules exist and are enabled; global-service ones also in us-east-1. */
export const checkRules: Check = (port, { stage }) =>
  guarded('rules', 'the EventBridge rules (ListRules)', async () => {
    const prefix = `klaxon-${stage}-`;
    const deployed = new Map((await port.listRules(prefix)).map((r) => [r.name, r]));
    const findings: Finding[] = [];
    const deploy = `npx serverless deploy --stage ${stage} --region ${port.region}`;
    const alarmRules = [...deployed.values()].filter((r) => r.name.startsWith(alarmRulePrefix(stage)));
    if (alarmRules.length === 0)
      findings.push({
        check: 'rules',
        severity: 'error',
        message: `rule ${alarmRulePrefix(stage)}<n> (alarm state changes to Klaxon) is missing in ${port.region}`,
        subject: 'alarm-rule-missing',
        fix: deploy,
      });
    else if (alarmRules.every((r) => r.state === 'DISABLED'))
      findings.push({
        check: 'rules',
        severity: 'error',
        message: `rule ${alarmRules[0]?.name} (alarm state changes to Klaxon) is disabled`,
        subject: 'alarm-rule-disabled',
        fix: `aws events enable-rule --name ${alarmRules[0]?.name} --region ${port.region}`,
      });
    // Generated from the catalog with deploy/security-rules.json, so no function bundles the catalog for this.
    const security = securityRuleStates.rules as ReadonlyArray<Pick<SecurityRule, 'id' | 'state' | 'region'>>;
    const missing: string[] = [];
    const disabled: string[] = [];
    const wrongState: string[] = [];
    for (const rule of security) {
      const name = securityRuleName(stage, rule.id);
      const found = deployed.get(name);
      if (!found) missing.push(name);
      else if (found.state === 'DISABLED') disabled.push(name);
      else if (found.state && found.state !== rule.state)
        wrongState.push(`${name} (${found.state}, needs ${rule.state})`);
    }
    if (missing.length > 0)
      findings.push({
        check: 'rules',
        severity: 'error',
        message: `${missing.length} of ${security.length} security rules missing in ${port.region}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
        subject: 'security-rules-missing',
        fix: deploy,
      });
    if (disabled.length > 0)
      findings.push({
        check: 'rules',
        severity: 'error',
        message: `security rules disabled: ${disabled.join(', ')}`,
        subject: 'security-rules-disabled',
        fix: `aws events enable-rule --name <rule> --region ${port.region}, or redeploy`,
      });
    if (wrongState.length > 0)
      findings.push({
        check: 'rules',
        severity: 'warning',
        message: `security rules in the wrong state (read-only events never arrive): ${wrongState.join(', ')}`,
        subject: 'security-rules-wrong-state',
        fix: deploy,
      });
    const global = security.filter((r) => r.region === 'us-east-1');
    if (global.length > 0 && port.region !== 'us-east-1') {
      findings.push({
        check: 'rules',
        severity: 'info',
        message: `${port.region} is not us-east-1: ${global.length} global-service detections (IAM, STS, console sign-in…) only see events in us-east-1`,
        subject: 'outside-us-east-1',
        fix: `Deploy Klaxon in us-east-1 too (npx serverless deploy --stage ${stage} --region us-east-1), or forward us-east-1 events to this region's bus.`,
      });
      const east = new Set((await port.listRules(prefix, 'us-east-1')).map((r) => r.name));
      const absent = global.map((r) => securityRuleName(stage, r.id)).filter((n) => !east.has(n));
      if (absent.length > 0)
        findings.push({
          check: 'rules',
          severity: 'warning',
          message: `${absent.length} global-service rules are not deployed in us-east-1, so those detections never fire: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', …' : ''}`,
          subject: 'global-rules-missing-in-us-east-1',
          fix: `npx serverless deploy --stage ${stage} --region us-east-1`,
        });
    }
    if (findings.every((f) => f.severity === 'info'))
      findings.unshift({
        check: 'rules',
        severity: 'ok',
        message: `${security.length + 1} rules deployed and enabled in ${port.region}`,
      });
    return findings;
  });

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function coversCloudWatch(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as { Service?: unknown; AWS?: unknown };
  return asList(p.Service).includes('cloudwatch.amazonaws.com') || asList(p.AWS).includes('*');
}

function coversPublish(actions: string | string[] | undefined): boolean {
  return asList(actions).some((a) => ['sns:publish', 'sns:*', '*'].includes(a.toLowerCase()));
}

function coversTopic(resource: string | string[] | undefined, arn: string): boolean {
  return asList(resource).some(
    (r) => r === '*' || r === arn || (r.endsWith('*') && arn.startsWith(r.slice(0, -1))),
  );
}

/** Whether a topic policy lets cloudwatch.amazonaws.com publish (an Allow and no Deny). */
export function policyAllowsCloudWatch(
  policy: string | undefined,
  arn: string,
): 'allowed' | 'denied' | 'not-allowed' {
  if (!policy) return 'not-allowed';
  let statements: Statement[];
  try {
    const parsed = JSON.parse(policy) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(parsed.Statement)
      ? parsed.Statement
      : parsed.Statement
        ? [parsed.Statement]
        : [];
  } catch {
    return 'not-allowed';
  }
  const applies = (s: Statement) =>
    coversCloudWatch(s.Principal) && coversPublish(s.Action) && coversTopic(s.Resource, arn);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s) && !s.Condition)) return 'denied';
  return statements.some((s) => s.Effect === 'Allow' && applies(s)) ? 'allowed' : 'not-allowed';
}

/** CloudWatch may publish to klaxon-<stage>-alarms (topic policy; KMS key). */
export const checkTopic: Check = (port, { stage }) =>
  guarded('topic', "Klaxon's topic (ListTopics/GetTopicAttributes)", async () => {
    const name = `klaxon-${stage}-alarms`;
    const topic = await port.findTopic(name);
    if (!topic)
      return [
        {
          check: 'topic',
          severity: 'error',
          message: `topic ${name} not found in ${port.region}: Klaxon is not deployed here (alarm actions must be in the alarm's region)`,
          subject: 'topic-missing',
          fix: `npx serverless deploy --stage ${stage} --region ${port.region}`,
        },
      ];
    const findings: Finding[] = [];
    const verdict = policyAllowsCloudWatch(topic.policy, topic.arn);
    if (verdict !== 'allowed')
      findings.push({
        check: 'topic',
        severity: 'error',
        message:
          verdict === 'denied'
            ? `the policy of ${name} denies cloudwatch.amazonaws.com sns:Publish: alarm notifications are dropped`
            : `the policy of ${name} does not let cloudwatch.amazonaws.com publish: alarm notifications are dropped`,
        subject: 'topic-policy-blocks-cloudwatch',
        fix: `Add a statement {"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"${topic.arn}","Condition":{"StringEquals":{"aws:SourceAccount":"<account>"}}} (the stack's AlarmTopicPolicy does this; redeploy).`,
      });
    if (topic.kmsMasterKeyId) {
      const managed = /(^|:)alias\/aws\/sns$/.test(topic.kmsMasterKeyId);
      findings.push({
        check: 'topic',
        severity: managed ? 'error' : 'warning',
        message: managed
          ? `${name} is encrypted with the AWS managed key alias/aws/sns, whose policy CloudWatch cannot use: alarm notifications are dropped`
          : `${name} is encrypted with ${topic.kmsMasterKeyId}: its key policy must allow CloudWatch (not checked)`,
        subject: managed ? 'topic-kms-aws-managed-key' : 'topic-kms-customer-key',
        fix: 'Use a customer managed key whose policy allows {"Service":"cloudwatch.amazonaws.com"} kms:Decrypt and kms:GenerateDataKey*.',
      });
    }
    if (findings.length === 0)
      findings.push({ check: 'topic', severity: 'ok', message: `CloudWatch may publish to ${name}` });
    return findings;
  });

/** Alarms that notify Klaxon's topic also notify it on OK (else nothing ever resolves). */
export const checkAlarms: Check = (port, { stage }) =>
  guarded('alarms', 'the alarms (DescribeAlarms)', async () => {
    const suffix = `:klaxon-${stage}-alarms`;
    const alarms = (await port.describeAlarms()).filter((a) =>
      a.alarmActions.some((arn) => arn.endsWith(suffix)),
    );
    const findings: Finding[] = [];
    const noOk = alarms.filter((a) => !a.okActions.some((arn) => arn.endsWith(suffix)));
    for (const alarm of noOk)
      findings.push({
        check: 'alarms',
        severity: 'error',
        message: `alarm ${alarm.name} notifies Klaxon on ALARM but not on OK: its alerts never resolve`,
        subject: `alarm:${alarm.name}:no-ok-action`,
        fix: `Add Klaxon's topic to its OKActions (OKActions: [!ImportValue klaxon-${stage}-AlarmTopicArn]).`,
      });
    const noData = alarms.filter(
      (a) =>
        a.kind === 'metric' &&
        !noOk.includes(a) &&
        !a.insufficientDataActions.some((arn) => arn.endsWith(suffix)),
    );
    if (noData.length > 0)
      findings.push({
        check: 'alarms',
        severity: 'info',
        message: `${noData.length} alarms do not notify Klaxon on INSUFFICIENT_DATA (a silent metric goes unnoticed): ${noData
          .slice(0, 5)
          .map((a) => a.name)
          .join(', ')}${noData.length > 5 ? ', …' : ''}`,
        subject: 'alarms-without-insufficient-data-action',
        fix: "Add Klaxon's topic to their InsufficientDataActions.",
      });
    if (noOk.length === 0)
      findings.unshift({
        check: 'alarms',
        severity: 'ok',
        message:
          alarms.length === 0
            ? 'no alarm notifies Klaxon through its topic yet (klaxon alarms generates a starter pack)'
            : `${alarms.length} alarms notify Klaxon on ALARM and OK`,
      });
    return findings;
  });

/** The `{ssm: name}` secrets of klaxon.yml exist under /klaxon/<stage>/ (values never read). */
export const checkSecrets: Check = (port, { stage, secrets }) =>
  guarded('secrets', 'the SSM parameters (GetParameter)', async () => {
    const findings: Finding[] = [];
    const paths = new Map<string, string[]>();
    for (const s of secrets) paths.set(s.name, [...(paths.get(s.name) ?? []), s.path]);
    const names = [...paths].map(([name, where]) => ({ name, path: where.join(', ') }));
    for (const secret of names) {
      const parameter = `/klaxon/${stage}/${secret.name}`;
      let exists: boolean;
      try {
        exists = await port.parameterExists(parameter);
      } catch (error) {
        findings.push(couldNotCheck('secrets', parameter, error));
        continue;
      }
      if (!exists)
        findings.push({
          check: 'secrets',
          severity: 'error',
          message: `secret ${secret.name} (${secret.path}) is missing: no parameter ${parameter}`,
          subject: `secret:${secret.name}:missing`,
          fix: `aws ssm put-parameter --type SecureString --name ${parameter} --value '…' --region ${port.region}`,
        });
    }
    if (findings.length === 0)
      findings.push({
        check: 'secrets',
        severity: 'ok',
        message: `${names.length} secrets present under /klaxon/${stage}/`,
      });
    return findings;
  });

export const CHECKS: readonly Check[] = [checkTrail, checkRules, checkTopic, checkAlarms, checkSecrets];

/** Runs every check (concurrently) and returns the findings in check order. */
export async function runDoctor(
  port: DoctorPort,
  context: DoctorContext,
  checks = CHECKS,
): Promise<Finding[]> {
  return (await Promise.all(checks.map((check) => check(port, context)))).flat();
}

/** The `{ssm: name}` references in a parsed klaxon.yml, with where they are. */
export function ssmReferences(config: unknown, path = ''): Array<{ name: string; path: string }> {
  if (Array.isArray(config)) return config.flatMap((item, i) => ssmReferences(item, `${path}[${i}]`));
  if (typeof config !== 'object' || config === null) return [];
  const record = config as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'ssm' && typeof record.ssm === 'string')
    return [{ name: record.ssm, path }];
  return keys.flatMap((key) => ssmReferences(record[key], path ? `${path}.${key}` : key));
}
