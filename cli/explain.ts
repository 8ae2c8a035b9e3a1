import { stat } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDecisionRecords } from '../shared/noise/engine';
import { formatRecord } from '../shared/noise/record';
import { DynamoStateStore } from '../shared/state/dynamodb';
import { eventFiles, parseAt, previewFiles, readConfigFile, UsageError } from './preview';
import type { VerbIo } from './io';

export const EXPLAIN_HELP = `klaxon explain <event file|dir|fingerprint> [--config klaxon.yml] [--at ISO] [--json]
               [--stage s | --table name] [--region r]

  For an event file: runs it through the pipeline in preview mode (nothing is sent) and prints,
  per alert, what arrived, the alert it became, every route considered and whether it matched,
  what suppressed it (silence, maintenance window, inhibition) and where it would go. --at sets
  the clock (maintenance windows, silences); default now.
  For a fingerprint (e.g. an alarm ARN): reads the decision records the deployed stage kept in
  its state table (klaxon-<stage>-state; 7 days by default) and prints them oldest first,
  including what each receiver answered. Uses your AWS credentials.

  Exit codes: 0 explained, 1 no record found, 2 usage, 3 unreadable path, 4 invalid configuration.
`;

async function isPath(arg: string): Promise<boolean> {
  return stat(arg).then(
    () => true,
    () => false,
  );
}

/** `klaxon explain`. */
export async function explainVerb(
  positionals: string[],
  values: { config: string; at?: string; json: boolean; stage?: string; table?: string; region?: string },
  io: VerbIo,
): Promise<number> {
  const target = positionals[0];
  if (!target) throw new UsageError('klaxon explain: name an event file or a fingerprint');
  if (await isPath(target)) {
    const config = await readConfigFile(values.config);
    const files = await eventFiles(positionals);
    const previewed = await previewFiles(files, config, parseAt(values.at) ?? io.now());
    if (values.json) {
      for (const p of previewed)
        io.out(`${JSON.stringify({ file: p.file, outcome: p.result.outcome, records: p.records })}\n`);
      return 0;
    }
    for (const p of previewed) {
      io.out(`${p.file}  ->  ${p.result.outcome.toUpperCase()}\n`);
      for (const record of p.records) io.out(formatRecord(record));
      for (const e of p.result.errors) io.out(`  invalid record ${e.record}: ${e.error}\n`);
      for (const i of p.result.ignored) io.out(`  ignored record ${i.record}: ${i.reason}\n`);
      for (const n of p.result.notices) io.out(`  notice -> ${n.receivers.join(', ')}: ${n.reason}\n`);
      io.out('\n');
    }
    return 0;
  }
  const table = values.table ?? (values.stage ? `klaxon-${values.stage}-state` : undefined);
  if (!table) {
    throw new UsageError(
      `klaxon explain: "${target}" is not a file; to read a fingerprint's records give --stage (or --table)`,
    );
  }
  const store = new DynamoStateStore(
    new DynamoDBClient(values.region ? { region: values.region } : {}),
    table,
  );
  const records = await readDecisionRecords(store, target);
  if (values.json) {
    io.out(`${JSON.stringify({ fingerprint: target, records })}\n`);
    return records.length > 0 ? 0 : 1;
  }
  if (records.length === 0) {
    io.err(
      `klaxon explain: no decision records for ${target} in ${table} (records are kept for decisionRecords.ttlDays)\n`,
    );
    return 1;
  }
  for (const record of records) io.out(`${formatRecord(record)}\n`);
  return 0;
}
