import { userInfo } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryJob } from '../shared/delivery/jobs';
import type { Silence } from '../shared/noise/config';
import { formatDuration, parseDuration } from '../shared/noise/duration';
import { describeMatchers, parseMatchArgs, silenceActive, SilenceRepository } from '../shared/noise/silences';
import { DynamoStateStore } from '../shared/state/dynamodb';
import { parseAt, UsageError } from './preview';
import type { VerbIo } from './io';

export const SILENCE_HELP = `klaxon silence add --match label=value [--match ...] (--for 2h | --until ISO) --reason "why"
                   --stage s [--starts ISO] [--created-by name] [--region r] [--table name] [--json]
klaxon silence list --stage s [--all] [--json]
klaxon silence expire <id> --stage s

  Ad-hoc silences live in the stage's state table (klaxon-<stage>-state) and apply to every alert
  whose labels match all --match conditions (value: exact, glob with * and ?, or ~regex; a label
  given twice matches either). A silenced alert is recorded, not delivered; if it is still firing
  when the silence ends (or is expired), it is delivered then. Static silences go in klaxon.yml.
  Labels to match: alarmName, account, region, severity, status, source, team, service, env, ...
  Uses your AWS credentials (dynamodb:GetItem/UpdateItem on the table; expire also
  sqs:SendMessage on klaxon-<stage>-delivery-retry to deliver what the silence held back).

  Exit codes: 0 ok, 1 no such silence, 2 usage.
`;

function describe(s: Silence, now: number): string {
  const state = silenceActive(s, now)
    ? 'active'
    : s.endsAt !== undefined && s.endsAt <= now
      ? 'expired'
      : 'pending';
  const ends = s.endsAt === undefined ? 'never' : new Date(s.endsAt).toISOString();
  const left =
    s.endsAt !== undefined && state === 'active' ? ` (${formatDuration(s.endsAt - now)} left)` : '';
  return `${s.id}  ${state}  ${describeMatchers(s.matchers)}  until ${ends}${left}  by ${s.createdBy}: ${s.reason}`;
}

/** `klaxon silence add|list|expire`. */
export async function silenceVerb(
  positionals: string[],
  values: {
    match?: string[];
    for?: string;
    until?: string;
    starts?: string;
    reason?: string;
    'created-by'?: string;
    stage?: string;
    table?: string;
    region?: string;
    all: boolean;
    json: boolean;
  },
  io: VerbIo,
): Promise<number> {
  const [action, id] = positionals;
  const table = values.table ?? (values.stage ? `klaxon-${values.stage}-state` : undefined);
  if (!action || !['add', 'list', 'expire'].includes(action))
    throw new UsageError('klaxon silence: add, list or expire');
  if (!table) throw new UsageError('klaxon silence: --stage is required (or --table)');
  const client = new DynamoDBClient(values.region ? { region: values.region } : {});
  const repo = new SilenceRepository(new DynamoStateStore(client, table));
  const now = io.now().getTime();
  if (action === 'add') {
    if (!values.match || values.match.length === 0)
      throw new UsageError('klaxon silence add: give at least one --match label=value');
    if (!values.reason)
      throw new UsageError('klaxon silence add: --reason is required (say why, for whoever is paged next)');
    let matchers;
    try {
      matchers = parseMatchArgs(values.match);
    } catch (error) {
      throw new UsageError(`klaxon silence add: ${(error as Error).message}`);
    }
    const startsAt = parseAt(values.starts)?.getTime() ?? now;
    let endsAt: number;
    if (values.for !== undefined) {
      const ms = parseDuration(values.for);
      if (ms === undefined)
        throw new UsageError(`klaxon silence add: --for "${values.for}": a duration such as 30m, 2h, 1d`);
      endsAt = startsAt + ms;
    } else if (values.until !== undefined) {
      endsAt = parseAt(values.until)?.getTime() ?? 0;
    } else throw new UsageError('klaxon silence add: --for <duration> or --until <ISO time> is required');
    if (endsAt <= Math.max(now, startsAt))
      throw new UsageError('klaxon silence add: the silence would end before it starts');
    const createdBy = values['created-by'] ?? process.env.USER ?? userInfo().username;
    const silence = await repo.add({ matchers, reason: values.reason, createdBy, startsAt, endsAt }, now);
    io.out(values.json ? `${JSON.stringify(silence)}\n` : `created ${describe(silence, now)}\n`);
    return 0;
  }
  if (action === 'list') {
    const silences = (await repo.list()).filter(
      (s) => values.all || s.endsAt === undefined || s.endsAt > now,
    );
    if (values.json) io.out(`${JSON.stringify({ silences })}\n`);
    else if (silences.length === 0)
      io.out(`no ${values.all ? '' : 'active or pending '}silences in ${table}\n`);
    else for (const s of silences) io.out(`${describe(s, now)}\n`);
    return 0;
  }
  if (!id) throw new UsageError('klaxon silence expire: name the silence id (see klaxon silence list)');
  const ended = await repo.expire(id, now);
  if (!ended) {
    io.err(`klaxon silence expire: no silence ${id} in ${table}\n`);
    return 1;
  }
  io.out(values.json ? `${JSON.stringify(ended)}\n` : `expired ${describe(ended, now)}\n`);
  if (values.stage) await scheduleRecheck(values.stage, values.region, id, now, io);
  return 0;
}

/** Asks the deployed retrier to deliver what the silence held back and is still firing. */
async function scheduleRecheck(
  stage: string,
  region: string | undefined,
  id: string,
  now: number,
  io: VerbIo,
) {
  const sqs = new SQSClient(region ? { region } : {});
  const job: DeliveryJob = {
    kind: 'noise',
    action: 'unmute',
    key: `silence:${id}`,
    receiver: '',
    dueAt: now,
  };
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: `klaxon-${stage}-delivery-retry` }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(job) }));
  } catch (error) {
    io.err(
      `warning: could not queue the re-check (${(error as Error).name}); alerts it held back are delivered at the silence's original end\n`,
    );
  }
}
