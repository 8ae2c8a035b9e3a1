import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KlaxonConfig } from '../shared/config/load';
import { digestSchema } from '../shared/config/scheduled';
import { Dispatcher } from '../shared/delivery/dispatcher';
import { buildDigest, type Digest } from '../shared/digest/digest';
import { prepareDigest, renderDigestText } from '../shared/digest/render';
import { readDigest } from '../shared/digest/run';
import { silentObserver } from '../shared/observability/observer';
import { createReceivers, systemClock } from '../shared/receivers/factory';
import { postJson } from '../shared/receivers/http';
import { LocalSecretResolver } from '../shared/secrets/secrets';
import { DynamoStateStore } from '../shared/state/dynamodb';
import { eventFiles, parseAt, previewFiles, readConfigFile, UsageError } from './preview';
import type { VerbIo } from './io';

/** The usage text of `klaxon digest`. */
export const DIGEST_HELP = `klaxon digest --stage s [--hours N] [--at ISO] [--post] [--config klaxon.yml] [--table name] [--region r] [--json]
klaxon digest --replay [<event file|dir>...] [--hours N] [--at ISO] [--post] [--config klaxon.yml] [--json]

  Prints the digest the scheduled function posts (klaxon.yml \`digest:\`): alerts by severity and
  route, the noisiest alarms, flapping alarms, alarms that resolved on their own within
  digest.quickResolveMinutes, suppressed counts, informational events and remediations, over the
  last --hours (default digest.periodHours, else 24).
  --stage reads the stage's state table (klaxon-<stage>-state) in one parallel Scan, page by page:
  the decision records and remediation audit records. Uses your AWS credentials (dynamodb:Scan on the table).
  --replay runs event files (default events/) through the pipeline in preview mode, as replay does,
  and builds the digest from that run's decisions; nothing is read from AWS. Every record of a
  replay carries the --at time (default now), so durations there are 0.
  --post also posts it to digest.receiver; secrets come from the environment as with
  \`replay --live\` ({env: NAME}, or KLAXON_SECRET_<NAME> for {ssm: name}).
  --json prints the digest as JSON instead of text.

  Exit codes: 0 printed (and posted), 1 the post failed, 2 usage, 3 unreadable path, 4 invalid configuration.
`;

/** The options of `klaxon digest`. */
export interface DigestVerbOptions {
  config: string;
  stage?: string;
  table?: string;
  region?: string;
  hours?: string;
  at?: string;
  replay: boolean;
  post: boolean;
  json: boolean;
}

function hoursOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 90) {
    throw new UsageError(`klaxon digest: --hours "${text}": expected a number of hours (at most 2160)`);
  }
  return hours;
}

async function post(config: KlaxonConfig, digest: Digest, io: VerbIo): Promise<number> {
  const receiver = config.digest?.receiver;
  if (!receiver) throw new UsageError('klaxon digest --post: klaxon.yml has no (enabled) digest: section');
  const receivers = createReceivers(config.receivers, {
    secrets: new LocalSecretResolver(process.env),
    post: postJson,
    clock: systemClock,
    consoleSink: () => {},
    consoleText: (text, name) => io.err(`console receiver ${name}:\n${text}`),
  });
  const dispatcher = new Dispatcher({
    config,
    receivers,
    clock: systemClock,
    observer: silentObserver,
    remainingMs: () => 60_000,
    leaseMs: 45_000,
  });
  const result = await dispatcher.post(receiver, prepareDigest(digest, receiver));
  if (result.outcome !== 'delivered') {
    io.err(`klaxon digest: posting to ${receiver} failed: ${result.error ?? result.outcome}\n`);
    return 1;
  }
  io.err(`posted to ${receiver} (${result.type}).\n`);
  return 0;
}

/** `klaxon digest`: the digest of the deployed stage (--stage) or of a local replay (--replay). */
export async function digestVerb(
  positionals: string[],
  values: DigestVerbOptions,
  io: VerbIo,
): Promise<number> {
  const table = values.table ?? (values.stage ? `klaxon-${values.stage}-state` : undefined);
  if (values.replay === (table !== undefined)) {
    throw new UsageError('klaxon digest: give either --stage (or --table) or --replay [paths...]');
  }
  if (!values.replay && positionals.length > 0) {
    throw new UsageError(`klaxon digest: event paths go with --replay (got ${positionals.join(' ')})`);
  }
  const config = await readConfigFile(values.config);
  const settings = config.digest ?? digestSchema.parse({ receiver: '' });
  const hours = hoursOf(values.hours, settings.periodHours);
  const to = parseAt(values.at) ?? io.now();
  const period = {
    from: new Date(to.getTime() - hours * 3_600_000),
    to,
    quickResolveMinutes: settings.quickResolveMinutes,
    top: settings.top,
  };
  let digest: Digest;
  if (values.replay) {
    const files = await eventFiles(positionals.length > 0 ? positionals : ['events']);
    const previewed = await previewFiles(files, config, to, io.progress?.('digest'));
    digest = buildDigest(
      previewed.flatMap((p) => p.records),
      [],
      { ...period, includePreview: true },
    );
  } else {
    const store = new DynamoStateStore(
      new DynamoDBClient(values.region ? { region: values.region } : {}),
      table ?? '',
    );
    const read = await readDigest(store, { ...period, keep: config.noise.decisionRecords.keep });
    if (read.unreadable > 0) {
      io.err(
        `klaxon digest: ${read.unreadable} rows of ${table} left out (unreadable: ${read.examples.join(', ')})\n`,
      );
    }
    digest = read.digest;
  }
  io.out(values.json ? `${JSON.stringify(digest)}\n` : renderDigestText(digest));
  return values.post ? post(config, digest, io) : 0;
}
