import { readFile } from 'node:fs/promises';
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { UsageError } from './preview';
import { UnreadablePathError } from './replay';
import type { VerbIo } from './io';

export const DRILL_HELP = `klaxon drill --stage s (--fixture <event.json> | --alarm <name> [--state ALARM|OK]) [--region r]
             [--topic-arn arn] [--yes] [--json]

  A fire drill through the deployed path, end to end:
  --fixture  publishes the event to the stage's SNS topic klaxon-<stage>-alarms (an SNS-envelope
             fixture publishes its inner Message and Subject; any other JSON is published as is).
  --alarm    sets a real CloudWatch alarm's state with SetAlarmState (default ALARM); CloudWatch
             then runs its actions for that state as for a real breach, and re-evaluates it at the
             next period. The drill first checks that those actions include Klaxon's topic
             (klaxon-<stage>-alarms, or --topic-arn) and refuses if not. When the alarm has other
             actions (Auto Scaling, EC2, other pagers, Systems Manager), it lists them and runs
             only with --yes, since they fire too.
  Uses your AWS credentials (sns:ListTopics + sns:Publish, or cloudwatch:DescribeAlarms +
  cloudwatch:SetAlarmState). Then: klaxon explain <fingerprint> --stage s.

  Exit codes: 0 sent, 1 not found or refused (no Klaxon action, other actions without --yes),
  2 usage, 3 unreadable fixture, 5 AWS credentials or permissions missing.
`;

async function topicArn(sns: SNSClient, stage: string): Promise<string | undefined> {
  const suffix = `:klaxon-${stage}-alarms`;
  let token: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand(token ? { NextToken: token } : {}));
    const found = page.Topics?.find((t) => t.TopicArn?.endsWith(suffix))?.TopicArn;
    if (found) return found;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/** What to publish for a fixture: an SNS envelope's inner message, else the JSON itself. */
export function drillMessage(raw: unknown): { message: string; subject?: string } {
  const sns = (raw as { Records?: Array<{ Sns?: { Message?: string; Subject?: string | null } }> })
    ?.Records?.[0]?.Sns;
  if (sns?.Message !== undefined)
    return { message: sns.Message, ...(sns.Subject ? { subject: sns.Subject.slice(0, 99) } : {}) };
  return { message: JSON.stringify(raw) };
}

const ACTION_KEY = {
  ALARM: 'AlarmActions',
  OK: 'OKActions',
  INSUFFICIENT_DATA: 'InsufficientDataActions',
} as const;

/** The actions CloudWatch runs when the alarm enters `state`. */
export function alarmActions(
  alarm: { AlarmActions?: string[]; OKActions?: string[]; InsufficientDataActions?: string[] },
  state: keyof typeof ACTION_KEY,
): string[] {
  return alarm[ACTION_KEY[state]] ?? [];
}

/** `klaxon drill`. */
export async function drillVerb(
  values: {
    stage?: string;
    fixture?: string;
    alarm?: string;
    state: string;
    region?: string;
    'topic-arn'?: string;
    yes?: boolean;
    json: boolean;
  },
  io: VerbIo,
): Promise<number> {
  if (!values.stage) throw new UsageError('klaxon drill: --stage is required');
  if (!values.fixture === !values.alarm)
    throw new UsageError('klaxon drill: give exactly one of --fixture or --alarm');
  const region = values.region ? { region: values.region } : {};
  if (values.fixture) {
    const path = values.fixture;
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UnreadablePathError(`cannot read ${path}: ${error.code ?? 'error'}`, { cause: error });
    });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`klaxon drill: ${path} is not JSON (${(error as Error).message})`);
    }
    const sns = new SNSClient(region);
    const arn = values['topic-arn'] ?? (await topicArn(sns, values.stage));
    if (!arn) {
      io.err(`klaxon drill: no topic klaxon-${values.stage}-alarms in this account and region (deployed?)\n`);
      return 1;
    }
    const { message, subject } = drillMessage(raw);
    const sent = await sns.send(
      new PublishCommand({ TopicArn: arn, Message: message, ...(subject ? { Subject: subject } : {}) }),
    );
    io.out(
      values.json
        ? `${JSON.stringify({ published: path, topicArn: arn, messageId: sent.MessageId })}\n`
        : `published ${path} to ${arn} (message ${sent.MessageId})\n`,
    );
    return 0;
  }
  const state = values.state.toUpperCase();
  if (state !== 'ALARM' && state !== 'OK' && state !== 'INSUFFICIENT_DATA') {
    throw new UsageError('klaxon drill: --state is ALARM, OK or INSUFFICIENT_DATA');
  }
  const name = values.alarm as string;
  const cloudwatch = new CloudWatchClient(region);
  const found = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const alarm = found.MetricAlarms?.[0] ?? found.CompositeAlarms?.[0];
  if (!alarm) {
    io.err(`klaxon drill: no alarm named ${name}\n`);
    return 1;
  }
  const actions = alarmActions(alarm, state);
  const isKlaxon = (arn: string) =>
    arn === values['topic-arn'] || arn.endsWith(`:klaxon-${values.stage}-alarms`);
  const others = actions.filter((arn) => !isKlaxon(arn));
  if (alarm.ActionsEnabled === false || !actions.some(isKlaxon)) {
    io.err(
      `klaxon drill: ${name} does not notify Klaxon on ${state}${alarm.ActionsEnabled === false ? ' (its actions are disabled)' : ''}; its ${state} actions: ${actions.join(', ') || 'none'}\n` +
        `fix: add the klaxon-${values.stage}-alarms topic to the alarm's ${ACTION_KEY[state]} (or pass --topic-arn), or drill with --fixture\n`,
    );
    return 1;
  }
  if (others.length > 0 && !values.yes) {
    io.err(
      `klaxon drill: SetAlarmState also runs ${name}'s other ${state} actions:\n${others.map((arn) => `  ${arn}\n`).join('')}` +
        'fix: run again with --yes if firing those is fine, or drill with --fixture\n',
    );
    return 1;
  }
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: state,
      StateReason: `Klaxon fire drill (stage ${values.stage}) by ${process.env.USER ?? 'klaxon drill'}`,
    }),
  );
  io.out(
    values.json
      ? `${JSON.stringify({ alarm: name, alarmArn: alarm.AlarmArn, state, previousState: alarm.StateValue, otherActions: others })}\n`
      : `set ${name} to ${state} (was ${alarm.StateValue}); fingerprint ${alarm.AlarmArn}${others.length > 0 ? `; also ran ${others.length} other action(s)` : ''}\n`,
  );
  return 0;
}
