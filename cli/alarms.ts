import { writeFile } from 'node:fs/promises';
import {
  type AlarmFormat,
  type AlarmPackOptions,
  buildAlarmSpecs,
  renderAlarmPack,
} from '../shared/onboarding/alarms';
import { UsageError } from './preview';
import { UnreadablePathError } from './replay';
import type { VerbIo } from './io';

export const ALARMS_HELP = `klaxon alarms --stage s [--format cloudformation|cloudformation-yaml|terraform] [--out file]
              [--lambda fn1,fn2] [--instance i-…] [--asg name] [--table t]
              [--alb app/x/y --target-group targetgroup/x/y] [--team name] [--runbook-base https://…]

  Generates the starter alarm pack for the resources you name (each flag may repeat or take a
  comma-separated list; --alb and --target-group pair up in order):
    EC2 / ASG  CPU > 80% for 3 of 3 5-minute periods; CloudWatch agent disk_used_percent and
               mem_used_percent > 85%
    Lambda     error rate (metric math) > 1% warning and > 5% critical; Throttles > 0;
               p99 Duration > 5 s
    DynamoDB   ReadThrottleEvents + WriteThrottleEvents > 0
    ALB        target 5XX > 5 in 5 minutes; unhealthy hosts; p99 TargetResponseTime > 5 s
  plus a composite service-down-<team> over the critical ones. Every alarm is tagged severity,
  runbook (<runbook-base>/<kind>) and team, and sends ALARM, OK and INSUFFICIENT_DATA to Klaxon's
  topic: the AlarmTopicArn parameter (variable alarm_topic_arn), by default the export
  klaxon-<stage>-AlarmTopicArn of the Klaxon stack. Writes to standard output unless --out
  (an --out ending in .yml/.yaml selects cloudformation-yaml). Calls no AWS API.

  Exit codes: 0 written, 2 usage (no resources, unpaired --alb), 3 cannot write --out.
`;

const FORMATS: readonly AlarmFormat[] = ['cloudformation', 'cloudformation-yaml', 'terraform'];

function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** `klaxon alarms`. */
export async function alarmsVerb(
  values: {
    stage?: string;
    format?: string;
    out?: string;
    lambda?: string[];
    instance?: string[];
    asg?: string[];
    table?: string[];
    alb?: string[];
    'target-group'?: string[];
    team: string;
    'runbook-base': string;
  },
  io: VerbIo,
): Promise<number> {
  if (!values.stage)
    throw new UsageError('klaxon alarms: --stage is required (the Klaxon stage the alarms report to)');
  if (!/^[A-Za-z0-9-]+$/.test(values.stage))
    throw new UsageError('klaxon alarms: --stage is letters, digits and -');
  const format = (values.format ??
    (values.out && /\.ya?ml$/i.test(values.out) ? 'cloudformation-yaml' : 'cloudformation')) as AlarmFormat;
  if (!FORMATS.includes(format))
    throw new UsageError(`klaxon alarms: --format is one of ${FORMATS.join(', ')}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(values.team))
    throw new UsageError('klaxon alarms: --team is letters, digits, _ . -');
  if (!/^https?:\/\/\S+$/.test(values['runbook-base']))
    throw new UsageError('klaxon alarms: --runbook-base is an http(s) URL');
  const albs = list(values.alb);
  const groups = list(values['target-group']);
  if (albs.length !== groups.length)
    throw new UsageError(
      'klaxon alarms: give one --target-group (targetgroup/name/id) per --alb (app/name/id)',
    );
  if (
    albs.some((a) => !/^app\/[^/]+\/[^/]+$/.test(a)) ||
    groups.some((g) => !/^targetgroup\/[^/]+\/[^/]+$/.test(g))
  )
    throw new UsageError(
      'klaxon alarms: --alb is app/<name>/<id> and --target-group is targetgroup/<name>/<id>',
    );
  const options: AlarmPackOptions = {
    stage: values.stage,
    team: values.team,
    runbookBase: values['runbook-base'],
    lambdas: list(values.lambda),
    instances: list(values.instance),
    asgs: list(values.asg),
    tables: list(values.table),
    albs: albs.map((loadBalancer, i) => ({ loadBalancer, targetGroup: groups[i] as string })),
  };
  const count = buildAlarmSpecs(options).length;
  if (count === 0)
    throw new UsageError(
      'klaxon alarms: name at least one resource (--lambda, --instance, --asg, --table, --alb)',
    );
  const text = renderAlarmPack(options, format);
  if (!values.out) {
    io.out(text);
    return 0;
  }
  const path = values.out;
  await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
    throw new UnreadablePathError(`cannot write ${path}: ${error.code ?? 'error'}`, { cause: error });
  });
  io.err(`wrote ${count} alarms (${format}) to ${path}\n`);
  return 0;
}
