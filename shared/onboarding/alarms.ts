import { stringify } from 'yaml';

/**
 * The starter alarm pack (`klaxon alarms`): the essential alarms for the resources you name, as
 * CloudFormation (JSON or YAML) or Terraform, every one tagged `severity`, `runbook` and `team` and
 * with its ALARM, OK and INSUFFICIENT_DATA actions pointed at Klaxon's topic.
 */

/** The resources to generate alarms for. */
export interface AlarmPackOptions {
  /** Klaxon's stage: the topic ARN defaults to the stack export `klaxon-<stage>-AlarmTopicArn`. */
  stage: string;
  team: string;
  /** Runbook URLs are `<runbookBase>/<alarm kind>`. */
  runbookBase: string;
  lambdas: string[];
  instances: string[];
  asgs: string[];
  tables: string[];
  /** Application load balancers (`app/name/id`) with their target groups (`targetgroup/name/id`). */
  albs: Array<{ loadBalancer: string; targetGroup: string }>;
}

export type AlarmSeverity = 'critical' | 'warning';

interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** One query of a metric-math alarm: a metric (not returned) or the returned expression. */
type MathQuery =
  { id: string; metric: MetricRef; stat: string } | { id: string; expression: string; label: string };

/** A metric alarm, independent of the output format. */
export interface MetricAlarmSpec {
  kind: 'metric';
  /** CloudFormation logical id / Terraform resource name stem. */
  key: string;
  name: string;
  description: string;
  severity: AlarmSeverity;
  runbook: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  period: number;
  treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  /** A single metric with a statistic (`Sum`, `Average`, `Maximum`) or a percentile (`p99`)... */
  metric?: MetricRef & { stat: string };
  /** ...or metric math. */
  math?: MathQuery[];
  /** Part of the "service down" composite. */
  serviceDown: boolean;
}

/** The composite "service down" example. */
export interface CompositeAlarmSpec {
  kind: 'composite';
  key: string;
  name: string;
  description: string;
  severity: AlarmSeverity;
  runbook: string;
  /** Keys of the alarms it is ALARM over (any of them). */
  over: string[];
}

export type AlarmSpec = MetricAlarmSpec | CompositeAlarmSpec;

const PERIOD = 300;

/** `app/my-alb/50dc6c495c0c9188` → `my-alb`; other values: themselves, made name-safe. */
function shortName(value: string): string {
  const parts = value.split('/');
  const name = parts.length >= 3 ? (parts[1] ?? value) : value;
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

function logicalId(...words: string[]): string {
  return words
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The alarms for the given resources, in a stable order, with the composite last (when any). */
export function buildAlarmSpecs(options: AlarmPackOptions): AlarmSpec[] {
  const { team } = options;
  const base = options.runbookBase.replace(/\/+$/, '');
  const specs: MetricAlarmSpec[] = [];
  const add = (
    spec: Omit<MetricAlarmSpec, 'kind' | 'runbook' | 'serviceDown' | 'period'> & {
      runbookPath: string;
      serviceDown?: boolean;
      period?: number;
    },
  ) => {
    const { runbookPath, serviceDown, period, ...rest } = spec;
    specs.push({
      kind: 'metric',
      ...rest,
      period: period ?? PERIOD,
      runbook: `${base}/${runbookPath}`,
      serviceDown: serviceDown ?? false,
    });
  };
  const cpu = (kind: 'ec2' | 'asg', dimension: string, value: string) =>
    add({
      key: logicalId(kind, value, 'cpu-high'),
      name: `${team}-${kind}-${shortName(value)}-cpu-high`,
      description: `CPU above 80% for 3 consecutive 5-minute periods (${dimension} ${value}).`,
      severity: 'warning',
      runbookPath: `${kind}-cpu-high`,
      threshold: 80,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
      metric: {
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        dimensions: { [dimension]: value },
        stat: 'Average',
      },
    });
  const agent = (kind: 'ec2' | 'asg', dimension: string, value: string) => {
    const disk = { [dimension]: value, ...(kind === 'ec2' ? { path: '/' } : {}) };
    add({
      key: logicalId(kind, value, 'disk-high'),
      name: `${team}-${kind}-${shortName(value)}-disk-high`,
      description: `Root disk above 85% used (CloudWatch agent disk_used_percent, ${dimension} ${value}). The dimensions must match the agent's configuration (append_dimensions / aggregation_dimensions).`,
      severity: 'warning',
      runbookPath: 'disk-high',
      threshold: 85,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'missing',
      metric: { namespace: 'CWAgent', metricName: 'disk_used_percent', dimensions: disk, stat: 'Maximum' },
    });
    add({
      key: logicalId(kind, value, 'memory-high'),
      name: `${team}-${kind}-${shortName(value)}-memory-high`,
      description: `Memory above 85% used (CloudWatch agent mem_used_percent, ${dimension} ${value}).`,
      severity: 'warning',
      runbookPath: 'memory-high',
      threshold: 85,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
      metric: {
        namespace: 'CWAgent',
        metricName: 'mem_used_percent',
        dimensions: { [dimension]: value },
        stat: 'Average',
      },
    });
  };
  for (const id of options.instances) {
    cpu('ec2', 'InstanceId', id);
    agent('ec2', 'InstanceId', id);
  }
  for (const name of options.asgs) {
    cpu('asg', 'AutoScalingGroupName', name);
    agent('asg', 'AutoScalingGroupName', name);
  }
  for (const fn of options.lambdas) {
    const dimensions = { FunctionName: fn };
    const errorRate = (severity: AlarmSeverity, threshold: number) =>
      add({
        key: logicalId('lambda', fn, 'error-rate', severity),
        name: `${team}-lambda-${shortName(fn)}-error-rate-${severity}`,
        description: `Lambda ${fn}: errors / invocations above ${threshold}% (metric math) in 2 of 3 5-minute periods.`,
        severity,
        runbookPath: 'lambda-error-rate',
        threshold,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: 'notBreaching',
        serviceDown: severity === 'critical',
        math: [
          {
            id: 'errors',
            metric: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions },
            stat: 'Sum',
          },
          {
            id: 'invocations',
            metric: { namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions },
            stat: 'Sum',
          },
          {
            id: 'rate',
            expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            label: 'Error rate (%)',
          },
        ],
      });
    errorRate('warning', 1);
    errorRate('critical', 5);
    add({
      key: logicalId('lambda', fn, 'throttles'),
      name: `${team}-lambda-${shortName(fn)}-throttles`,
      description: `Lambda ${fn} was throttled (Throttles > 0 in 5 minutes).`,
      severity: 'warning',
      runbookPath: 'lambda-throttles',
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      metric: { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions, stat: 'Sum' },
    });
    add({
      key: logicalId('lambda', fn, 'p99-latency'),
      name: `${team}-lambda-${shortName(fn)}-p99-latency`,
      description: `Lambda ${fn}: p99 duration above 5 s for 3 consecutive 5-minute periods.`,
      severity: 'warning',
      runbookPath: 'p99-latency',
      threshold: 5000,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      metric: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions, stat: 'p99' },
    });
  }
  for (const table of options.tables) {
    const dimensions = { TableName: table };
    add({
      key: logicalId('dynamodb', table, 'throttled'),
      name: `${team}-dynamodb-${shortName(table)}-throttled`,
      description: `DynamoDB table ${table}: throttled reads or writes (ReadThrottleEvents + WriteThrottleEvents > 0).`,
      severity: 'warning',
      runbookPath: 'dynamodb-throttled',
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      math: [
        {
          id: 'reads',
          metric: { namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensions },
          stat: 'Sum',
        },
        {
          id: 'writes',
          metric: { namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensions },
          stat: 'Sum',
        },
        { id: 'throttled', expression: 'FILL(reads, 0) + FILL(writes, 0)', label: 'Throttled requests' },
      ],
    });
  }
  for (const { loadBalancer, targetGroup } of options.albs) {
    const name = shortName(loadBalancer);
    const dimensions = { LoadBalancer: loadBalancer, TargetGroup: targetGroup };
    add({
      key: logicalId('alb', name, shortName(targetGroup), 'target-5xx'),
      name: `${team}-alb-${name}-${shortName(targetGroup)}-target-5xx`,
      description: `ALB ${loadBalancer}: targets of ${targetGroup} answered more than 5 5XX responses in 5 minutes.`,
      severity: 'critical',
      runbookPath: 'alb-target-5xx',
      threshold: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      serviceDown: true,
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions,
        stat: 'Sum',
      },
    });
    add({
      key: logicalId('alb', name, shortName(targetGroup), 'unhealthy-hosts'),
      name: `${team}-alb-${name}-${shortName(targetGroup)}-unhealthy-hosts`,
      description: `ALB ${loadBalancer}: unhealthy targets in ${targetGroup} for 2 consecutive minutes.`,
      severity: 'critical',
      runbookPath: 'alb-unhealthy-hosts',
      threshold: 0,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      period: 60,
      treatMissingData: 'missing',
      serviceDown: true,
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        dimensions,
        stat: 'Maximum',
      },
    });
    add({
      key: logicalId('alb', name, shortName(targetGroup), 'p99-latency'),
      name: `${team}-alb-${name}-${shortName(targetGroup)}-p99-latency`,
      description: `ALB ${loadBalancer}: p99 target response time above 5 s for 3 consecutive 5-minute periods.`,
      severity: 'warning',
      runbookPath: 'p99-latency',
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions, stat: 'p99' },
    });
  }
  if (specs.length === 0) return [];
  const down = specs.filter((s) => s.serviceDown);
  const over = (down.length > 0 ? down : specs).map((s) => s.key);
  return [
    ...specs,
    {
      kind: 'composite',
      key: logicalId('service-down', team),
      name: `service-down-${team}`,
      description: `Example composite: the service of team ${team} is down when any of its critical alarms is in ALARM. Klaxon's inhibit rules can mute the member alarms while it fires.`,
      severity: 'critical',
      runbook: `${base}/service-down`,
      over,
    },
  ];
}

const COMPARISON = 'GreaterThanThreshold';
const PERCENTILE = /^p\d+(\.\d+)?$/;

function tags(spec: AlarmSpec, team: string): Record<string, string> {
  return { severity: spec.severity, runbook: spec.runbook, team };
}

// ---------------------------------------------------------------------------------------------
// CloudFormation

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The AlarmTopicArn parameter when given, else the Klaxon stack's export. */
function topicCfn(stage: string): Json {
  return {
    'Fn::If': [
      'AlarmTopicArnGiven',
      { Ref: 'AlarmTopicArn' },
      { 'Fn::ImportValue': `klaxon-${stage}-AlarmTopicArn` },
    ],
  };
}

function dimensionsCfn(dimensions: Record<string, string>): Json[] {
  return Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
}

/** A CloudFormation template (as data) for the alarms. */
export function cloudFormationTemplate(options: AlarmPackOptions): Record<string, Json> {
  const specs = buildAlarmSpecs(options);
  const topic = topicCfn(options.stage);
  const actions = { AlarmActions: [topic], OKActions: [topic], InsufficientDataActions: [topic] };
  const resources: Record<string, Json> = {};
  for (const spec of specs) {
    const Tags = Object.entries(tags(spec, options.team)).map(([Key, Value]) => ({ Key, Value }));
    if (spec.kind === 'composite') {
      const rule = spec.over.map((key) => `ALARM("\${${key}}")`).join(' OR ');
      resources[spec.key] = {
        Type: 'AWS::CloudWatch::CompositeAlarm',
        Properties: {
          AlarmName: spec.name,
          AlarmDescription: spec.description,
          AlarmRule: { 'Fn::Sub': rule },
          ActionsEnabled: true,
          ...actions,
          Tags,
        },
      };
      continue;
    }
    const common: Record<string, Json> = {
      AlarmName: spec.name,
      AlarmDescription: spec.description,
      ComparisonOperator: COMPARISON,
      Threshold: spec.threshold,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.datapointsToAlarm,
      TreatMissingData: spec.treatMissingData,
      ActionsEnabled: true,
      ...actions,
    };
    if (spec.metric) {
      const { namespace, metricName, dimensions, stat } = spec.metric;
      Object.assign(common, {
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: dimensionsCfn(dimensions),
        Period: spec.period,
        ...(PERCENTILE.test(stat) ? { ExtendedStatistic: stat } : { Statistic: stat }),
      });
    } else {
      common.Metrics = (spec.math ?? []).map((q): Json =>
        'expression' in q
          ? { Id: q.id, Expression: q.expression, Label: q.label, ReturnData: true }
          : {
              Id: q.id,
              MetricStat: {
                Metric: {
                  Namespace: q.metric.namespace,
                  MetricName: q.metric.metricName,
                  Dimensions: dimensionsCfn(q.metric.dimensions),
                },
                Period: spec.period,
                Stat: q.stat,
              },
              ReturnData: false,
            },
      );
    }
    resources[spec.key] = { Type: 'AWS::CloudWatch::Alarm', Properties: { ...common, Tags } };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Klaxon starter alarms for team ${options.team} (generated by klaxon alarms); actions go to Klaxon stage ${options.stage}`,
    Parameters: {
      AlarmTopicArn: {
        Type: 'String',
        Default: '',
        Description: `Klaxon's alarm topic; empty: the export klaxon-${options.stage}-AlarmTopicArn of the Klaxon stack in this region`,
      },
    },
    Conditions: { AlarmTopicArnGiven: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] } },
    Resources: resources,
    Outputs: Object.fromEntries(
      specs
        .filter((s) => s.kind === 'composite')
        .map((s) => [`${s.key}Name`, { Description: 'The composite alarm', Value: { Ref: s.key } }]),
    ),
  };
}

/** CloudFormation as JSON text. */
export function cloudFormationJson(options: AlarmPackOptions): string {
  return `${JSON.stringify(cloudFormationTemplate(options), null, 2)}\n`;
}

/**
 * CloudFormation as YAML text: long-form intrinsic functions, so no custom tags are needed, and no
 * anchors or aliases (CloudFormation rejects them), so shared values such as action lists are
 * written out in full at each use.
 */
export function cloudFormationYaml(options: AlarmPackOptions): string {
  return stringify(cloudFormationTemplate(options), { lineWidth: 0, aliasDuplicateObjects: false });
}

// ---------------------------------------------------------------------------------------------
// Terraform

/** An HCL string literal (escapes quotes, backslashes and template sequences). */
export function hclString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{')}"`;
}

function hclMap(values: Record<string, string>, indent: string): string {
  const width = Math.max(...Object.keys(values).map((k) => hclKey(k).length));
  const lines = Object.entries(values).map(
    ([k, v]) => `${indent}  ${hclKey(k).padEnd(width)} = ${hclString(v)}`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function hclKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : hclString(key);
}

function tfName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
}

/** Terraform (HCL) for the alarms, for the AWS provider. */
export function terraform(options: AlarmPackOptions): string {
  const specs = buildAlarmSpecs(options);
  const blocks: string[] = [
    `# Klaxon starter alarms for team ${options.team} (generated by klaxon alarms).
# Actions go to Klaxon's topic: var.alarm_topic_arn, or else the CloudFormation export
# klaxon-${options.stage}-AlarmTopicArn of the Klaxon stack in the provider's region.

variable "alarm_topic_arn" {
  type        = string
  default     = ""
  description = "Klaxon's alarm topic ARN; empty: the export klaxon-${options.stage}-AlarmTopicArn"
}

data "aws_cloudformation_export" "klaxon_alarm_topic" {
  count = var.alarm_topic_arn == "" ? 1 : 0
  name  = "klaxon-${options.stage}-AlarmTopicArn"
}

locals {
  klaxon_alarm_topic_arn = var.alarm_topic_arn != "" ? var.alarm_topic_arn : data.aws_cloudformation_export.klaxon_alarm_topic[0].value
}`,
  ];
  const actions = `  alarm_actions             = [local.klaxon_alarm_topic_arn]
  ok_actions                = [local.klaxon_alarm_topic_arn]
  insufficient_data_actions = [local.klaxon_alarm_topic_arn]`;
  const names = new Map(specs.map((s) => [s.key, tfName(s.key)]));
  for (const spec of specs) {
    const name = names.get(spec.key) as string;
    const tagBlock = `  tags = ${hclMap(tags(spec, options.team), '  ')}`;
    if (spec.kind === 'composite') {
      const rule = spec.over
        .map((key) => `ALARM(\\"\${aws_cloudwatch_metric_alarm.${names.get(key)}.alarm_name}\\")`)
        .join(' OR ');
      blocks.push(`resource "aws_cloudwatch_composite_alarm" "${name}" {
  alarm_name        = ${hclString(spec.name)}
  alarm_description = ${hclString(spec.description)}
  alarm_rule        = "${rule}"
  actions_enabled   = true
${actions}
${tagBlock}
}`);
      continue;
    }
    const lines = [
      `resource "aws_cloudwatch_metric_alarm" "${name}" {`,
      `  alarm_name          = ${hclString(spec.name)}`,
      `  alarm_description   = ${hclString(spec.description)}`,
      `  comparison_operator = "${COMPARISON}"`,
      `  threshold           = ${spec.threshold}`,
      `  evaluation_periods  = ${spec.evaluationPeriods}`,
      `  datapoints_to_alarm = ${spec.datapointsToAlarm}`,
      `  treat_missing_data  = "${spec.treatMissingData}"`,
      `  actions_enabled     = true`,
    ];
    if (spec.metric) {
      const { namespace, metricName, dimensions, stat } = spec.metric;
      lines.push(
        `  namespace           = ${hclString(namespace)}`,
        `  metric_name         = ${hclString(metricName)}`,
        `  period              = ${spec.period}`,
        PERCENTILE.test(stat) ? `  extended_statistic  = "${stat}"` : `  statistic           = "${stat}"`,
        `  dimensions = ${hclMap(dimensions, '  ')}`,
      );
    } else {
      for (const q of spec.math ?? []) {
        if ('expression' in q) {
          lines.push(`
  metric_query {
    id          = "${q.id}"
    expression  = ${hclString(q.expression)}
    label       = ${hclString(q.label)}
    return_data = true
  }`);
        } else {
          lines.push(`
  metric_query {
    id = "${q.id}"
    metric {
      namespace   = ${hclString(q.metric.namespace)}
      metric_name = ${hclString(q.metric.metricName)}
      period      = ${spec.period}
      stat        = "${q.stat}"
      dimensions = ${hclMap(q.metric.dimensions, '      ')}
    }
  }`);
        }
      }
    }
    lines.push('', actions, tagBlock, '}');
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

export type AlarmFormat = 'cloudformation' | 'cloudformation-yaml' | 'terraform';

/** Renders the pack in the given format. */
export function renderAlarmPack(options: AlarmPackOptions, format: AlarmFormat): string {
  if (format === 'terraform') return terraform(options);
  return format === 'cloudformation-yaml' ? cloudFormationYaml(options) : cloudFormationJson(options);
}
