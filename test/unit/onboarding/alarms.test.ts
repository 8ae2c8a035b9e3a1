import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type AlarmPackOptions,
  buildAlarmSpecs,
  cloudFormationTemplate,
  cloudFormationYaml,
  hclString,
  type MetricAlarmSpec,
  terraform,
} from '../../../shared/onboarding/alarms';

const FULL: AlarmPackOptions = {
  stage: 'prod',
  team: 'payments',
  runbookBase: 'https://runbooks.example.com/',
  lambdas: ['checkout'],
  instances: ['i-0123456789abcdef0'],
  asgs: ['web-asg'],
  tables: ['orders'],
  albs: [{ loadBalancer: 'app/web/50dc6c495c0c9188', targetGroup: 'targetgroup/web-tg/73e2d6bc24d8a067' }],
};

const none: AlarmPackOptions = { ...FULL, lambdas: [], instances: [], asgs: [], tables: [], albs: [] };

function byName(specs: ReturnType<typeof buildAlarmSpecs>, name: string): MetricAlarmSpec {
  const spec = specs.find((s) => s.name === name);
  if (spec?.kind !== 'metric') throw new Error(`no metric alarm ${name}`);
  return spec;
}

describe('starter alarm specs', () => {
  const specs = buildAlarmSpecs(FULL);

  it('CPU > 80% for 3 of 3 5-minute periods, and agent disk / memory > 85%', () => {
    const cpu = byName(specs, 'payments-ec2-i-0123456789abcdef0-cpu-high');
    expect(cpu).toMatchObject({ threshold: 80, period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 });
    expect(cpu.metric).toMatchObject({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', stat: 'Average' });
    expect(byName(specs, 'payments-asg-web-asg-cpu-high').metric?.dimensions).toEqual({
      AutoScalingGroupName: 'web-asg',
    });
    expect(byName(specs, 'payments-ec2-i-0123456789abcdef0-disk-high').metric).toMatchObject({
      namespace: 'CWAgent',
      metricName: 'disk_used_percent',
      dimensions: { InstanceId: 'i-0123456789abcdef0', path: '/' },
    });
    expect(byName(specs, 'payments-asg-web-asg-memory-high')).toMatchObject({ threshold: 85 });
  });

  it('Lambda error rate as metric math at 1% (warning) and 5% (critical), throttles, p99 duration', () => {
    const warning = byName(specs, 'payments-lambda-checkout-error-rate-warning');
    const critical = byName(specs, 'payments-lambda-checkout-error-rate-critical');
    expect([warning.threshold, warning.severity, critical.threshold, critical.severity]).toEqual([
      1,
      'warning',
      5,
      'critical',
    ]);
    expect(critical.math?.map((q) => ('expression' in q ? q.expression : q.metric.metricName))).toEqual([
      'Errors',
      'Invocations',
      'IF(invocations > 0, 100 * errors / invocations, 0)',
    ]);
    expect(byName(specs, 'payments-lambda-checkout-throttles')).toMatchObject({ threshold: 0 });
    expect(byName(specs, 'payments-lambda-checkout-p99-latency')).toMatchObject({
      threshold: 5000,
      metric: { metricName: 'Duration', stat: 'p99' },
    });
  });

  it('DynamoDB throttles, ALB 5XX, unhealthy hosts and p99 response time', () => {
    expect(byName(specs, 'payments-dynamodb-orders-throttled').math?.at(-1)).toMatchObject({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
    });
    const alb = (what: string) => byName(specs, `payments-alb-web-web-tg-${what}`);
    expect(alb('target-5xx').metric?.dimensions).toEqual({
      LoadBalancer: 'app/web/50dc6c495c0c9188',
      TargetGroup: 'targetgroup/web-tg/73e2d6bc24d8a067',
    });
    expect(alb('unhealthy-hosts')).toMatchObject({
      severity: 'critical',
      metric: { metricName: 'UnHealthyHostCount' },
    });
    expect(alb('p99-latency')).toMatchObject({
      threshold: 5,
      metric: { metricName: 'TargetResponseTime', stat: 'p99' },
    });
  });

  it('ends with a service-down composite over the critical alarms; runbooks under the base', () => {
    const composite = specs.at(-1);
    expect(composite).toMatchObject({
      kind: 'composite',
      name: 'service-down-payments',
      severity: 'critical',
    });
    expect(composite?.kind === 'composite' && composite.over).toEqual([
      'LambdaCheckoutErrorRateCritical',
      'AlbWebWebTgTarget5xx',
      'AlbWebWebTgUnhealthyHosts',
    ]);
    expect(
      specs.every(
        (s) =>
          s.runbook.startsWith('https://runbooks.example.com/') &&
          !s.runbook.includes('//runbooks.example.com//'),
      ),
    ).toBe(true);
    expect(new Set(specs.map((s) => s.key)).size).toBe(specs.length);
  });

  it('nothing named, nothing generated; a composite over everything when nothing is critical', () => {
    expect(buildAlarmSpecs(none)).toEqual([]);
    const only = buildAlarmSpecs({ ...none, tables: ['orders'] });
    expect(only.at(-1)).toMatchObject({ kind: 'composite', over: ['DynamodbOrdersThrottled'] });
  });
});

describe('renderers', () => {
  it('CloudFormation: a topic parameter defaulting to the stack export, percentiles as ExtendedStatistic', () => {
    const template = cloudFormationTemplate(FULL) as {
      Conditions: unknown;
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    expect(template.Conditions).toEqual({
      AlarmTopicArnGiven: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] },
    });
    const p99 = template.Resources.LambdaCheckoutP99Latency?.Properties;
    expect(p99).toMatchObject({ ExtendedStatistic: 'p99' });
    expect(p99).not.toHaveProperty('Statistic');
    expect(template.Resources.ServiceDownPayments?.Properties.AlarmRule).toEqual({
      'Fn::Sub':
        'ALARM("${LambdaCheckoutErrorRateCritical}") OR ALARM("${AlbWebWebTgTarget5xx}") OR ALARM("${AlbWebWebTgUnhealthyHosts}")',
    });
  });

  it('CloudFormation YAML: no anchors or aliases (CloudFormation rejects them), the same template as JSON', () => {
    const text = cloudFormationYaml(FULL);
    // With alias resolution disabled, any `*alias` in the text fails the parse.
    const parsed = parse(text, { maxAliasCount: 0 }) as unknown;
    expect(parsed).toEqual(cloudFormationTemplate(FULL));
    expect(text).not.toMatch(/(^|[\s[{,])[&*][A-Za-z0-9_-]+/m);
  });

  it('Terraform: every alarm with the three action lists and the tags', () => {
    const text = terraform(FULL);
    const specs = buildAlarmSpecs(FULL);
    const blocks = text.split(/\n(?=resource ")/).slice(1);
    expect(blocks).toHaveLength(specs.length);
    for (const spec of specs) {
      const block = blocks.find(
        (b) =>
          b.includes(`alarm_name          = "${spec.name}"`) ||
          b.includes(`alarm_name        = "${spec.name}"`),
      );
      expect(block, spec.name).toBeDefined();
      expect(block).toContain('alarm_actions             = [local.klaxon_alarm_topic_arn]');
      expect(block).toContain('ok_actions                = [local.klaxon_alarm_topic_arn]');
      expect(block).toContain('insufficient_data_actions = [local.klaxon_alarm_topic_arn]');
      expect(block).toContain(`severity = "${spec.severity}"`);
      expect(block).toContain(`runbook  = "${spec.runbook}"`);
      expect(block).toContain('team     = "payments"');
    }
    expect(text).toContain('variable "alarm_topic_arn"');
    expect(text).toContain('name  = "klaxon-prod-AlarmTopicArn"');
    expect(text).toContain('extended_statistic  = "p99"');
    expect(text).toContain('expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"');
    expect(text).toContain(
      'alarm_rule        = "ALARM(\\"${aws_cloudwatch_metric_alarm.lambda_checkout_error_rate_critical.alarm_name}\\") OR',
    );
    expect(text.match(/\{/g)?.length).toBe(text.match(/\}/g)?.length);
  });

  it('escapes HCL strings', () => {
    expect(hclString('a "b" \\ ${x} %{y}\n')).toBe('"a \\"b\\" \\\\ $${x} %%{y}\\n"');
  });
});
