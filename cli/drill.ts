import { readFile } from 'node:fs/promises';
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { UsageError } from './preview';
import { UnreadablePathError } from './replay';
import type { VerbIo } from './io';

export const DRILL_HELP = `klaxon drill --stage s (--fixture <event.json> | --alarm <name> [--state ALARM|OK]) [--region r]
             [--topic-arn arn] [--json]

  A fire drill through the deployed path, end to end:
  --fixture  publishes the event to the stage's SNS topic klaxon-<stage>-alarms (an SNS-envelope
             fixture publishes its inner Message and Subject; any other JSON is published as is).
  --alarm    sets a real CloudWatch alarm's state with SetAlarmState (default ALARM); CloudWatch
             then notifies its actions as for a real breach, and re-evaluates it at the next period.
  Uses your AWS credentials (sns:ListTopics + sns:Publish, or cloudwatch:DescribeAlarms +
  cloudwatch:SetAlarmState). Then: klaxon explain <fingerprint> --stage s.

  Exit codes: 0 sent, 1 not found or refused, 2 usage, 3 unreadable fixture.
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

/** `klaxon drill`. */
export async function drillVerb(
  values: {
    stage?: string;
    fixture?: string;
    alarm?: string;
    state: string;
    region?: string;
    'topic-arn'?: string;
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
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: state,
      StateReason: `Klaxon fire drill (stage ${values.stage}) by ${process.env.USER ?? 'klaxon drill'}`,
    }),
  );
  io.out(
    values.json
      ? `${JSON.stringify({ alarm: name, alarmArn: alarm.AlarmArn, state, previousState: alarm.StateValue })}\n`
      : `set ${name} to ${state} (was ${alarm.StateValue}); fingerprint ${alarm.AlarmArn}\n`,
  );
  return 0;
}
