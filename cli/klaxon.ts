#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { KlaxonConfig } from '../shared/config/load';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../shared/delivery/redrive';
import { ConfigError } from '../shared/errors';
import { loadCheckedConfig } from './config';
import { LiveDeliveryError } from '../shared/replay/live';
import { replay, UnreadablePathError } from './replay';
import { parseAt, UsageError } from './preview';
import { progressBar } from './progress';
import { runVerb, VERB_USAGE } from './verbs';

/** Exit codes with a meaning scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unreadable: 3, badConfig: 4 } as const;

const HELP = `klaxon — CloudWatch alarms and AWS security events to PagerDuty and Slack

Usage:
  klaxon replay <file|dir>... [--config klaxon.yml] [--live] [--json] [--enrich] [--out out/replay]
  klaxon validate [klaxon.yml]
  klaxon redrive --stage <stage> [--region r] [--dry-run] [--max n]
${VERB_USAGE}  klaxon approve <id> --stage <stage> [--by name] [--region r] [--config klaxon.yml]

replay    Runs fixture events through the same pipeline the Lambda runs. By default nothing is
          sent: the exact payloads are written under --out. --live delivers for real, reading
          secrets from the environment ({env: NAME}, or KLAXON_SECRET_<NAME> for {ssm: name}).
          --json prints one NDJSON line per file (docs/replay-output.md).
          Enrichment (alarm tags, datapoints) is off unless --enrich is given or AWS_ENDPOINT_URL
          is set (e.g. moto_server); --enrich without it asks AWS with your credentials.
validate  Checks klaxon.yml and names every bad key.
redrive   Moves deliveries Klaxon gave up on (the klaxon-<stage>-delivery-dlq queue) back to the
          retry queue with a fresh retry schedule. Uses your AWS credentials; --dry-run lists them.
approve   Approves a remediation waiting for approval (the id is in the alert) and starts it behind
          the same guards as the Lambda. Uses your AWS credentials; --by names you in the audit.

explain, test, diff, silence, drill: noise control and operator tools; klaxon <verb> --help.
alarms, doctor: onboarding (a starter alarm pack; read-only checks of what feeds Klaxon).
digest: the scheduled summary, from a stage's state table or from a local replay.

Exit codes: 0 ok, 1 failure (a test case failed, a diff with --exit-code, nothing found),
2 usage error, 3 unreadable path, 4 invalid configuration.
`;

async function readConfig(path: string): Promise<KlaxonConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file (${error.code ?? 'error'})` }], {
      cause: error,
    });
  });
  return loadCheckedConfig(text, path);
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const out = (text: string) => process.stdout.write(text);
  const err = (text: string) => process.stderr.write(text);
  try {
    if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
      out(HELP);
      return verb === undefined ? EXIT.usage : EXIT.ok;
    }
    if (verb === 'validate') {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { help: { type: 'boolean', short: 'h' } },
      });
      if (values.help) {
        out('klaxon validate [klaxon.yml]\n  Validates the configuration; exit 4 naming every bad key.\n');
        return EXIT.ok;
      }
      const file = positionals[0] ?? 'klaxon.yml';
      const config = await readConfig(file);
      for (const warning of config.warnings) err(`warning: ${warning.path}: ${warning.message}\n`);
      out(
        `${file} is valid: ${Object.keys(config.receivers).length} receivers, ${config.severityRules.length} severity rules, ${config.runbooks.length} runbooks, ${config.remediations.length} remediations.\n`,
      );
      return EXIT.ok;
    }
    if (verb === 'replay') {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          config: { type: 'string', default: 'klaxon.yml' },
          live: { type: 'boolean', default: false },
          enrich: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          out: { type: 'string', default: 'out/replay' },
          at: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        out(HELP);
        return EXIT.ok;
      }
      if (positionals.length === 0) {
        err('klaxon replay: name at least one file or directory (e.g. events)\n');
        return EXIT.usage;
      }
      const config = await readConfig(values.config);
      await replay({
        paths: positionals,
        config,
        live: values.live,
        enrich: values.enrich,
        json: values.json,
        outDir: values.out,
        cwd: process.cwd(),
        stdout: out,
        stderr: err,
        env: process.env,
        at: parseAt(values.at),
        progress: progressBar(process.stderr, 'replay'),
      });
      return EXIT.ok;
    }
    if (verb === 'approve') {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          stage: { type: 'string' },
          region: { type: 'string' },
          by: { type: 'string', default: process.env.USER ?? 'cli' },
          config: { type: 'string', default: 'klaxon.yml' },
        },
      });
      const id = positionals[0];
      if (!id || !values.stage) {
        err('klaxon approve: give the approval id and --stage (e.g. klaxon approve <id> --stage prod)\n');
        return EXIT.usage;
      }
      const { approveRemediation } = await import('./approve');
      const result = await approveRemediation({
        id,
        stage: values.stage,
        region: values.region,
        by: `${values.by} (klaxon approve)`,
        config: await readConfig(values.config),
      });
      out(
        `${result.rule}: ${result.action} ${result.outcome}${result.executionId ? ` ${result.executionId}` : ''}${result.reason ? ` — ${result.reason}` : ''}\n`,
      );
      return result.outcome === 'started' ? EXIT.ok : EXIT.failure;
    }
    if (verb === 'redrive') {
      const { values } = parseArgs({
        args: rest,
        options: {
          stage: { type: 'string' },
          region: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          max: { type: 'string', default: '1000' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        out(HELP);
        return EXIT.ok;
      }
      if (!values.stage) {
        err('klaxon redrive: --stage is required (the stage you deployed, e.g. prod)\n');
        return EXIT.usage;
      }
      const max = Number(values.max);
      if (!Number.isInteger(max) || max < 1) {
        err('klaxon redrive: --max must be a positive integer\n');
        return EXIT.usage;
      }
      const sqs = new SQSClient(values.region ? { region: values.region } : {});
      const url = async (name: string) => {
        const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        if (!found.QueueUrl) throw new Error(`queue ${name} not found`);
        return found.QueueUrl;
      };
      const report = await redriveDeadLetters(
        sqs,
        await url(`klaxon-${values.stage}-delivery-dlq`),
        await url(`klaxon-${values.stage}-delivery-retry`),
        { dryRun: values['dry-run'], max },
      );
      for (const line of report.lines) out(`${line}\n`);
      out(
        `${report.moved} ${values['dry-run'] ? 'would be moved' : 'moved'} to the retry queue, ${report.unreadable} left (unreadable).\n`,
      );
      return EXIT.ok;
    }
    const code = await runVerb(verb, rest);
    if (code !== undefined) return code;
    err(`klaxon: unknown verb "${verb}"\n\n${HELP}`);
    return EXIT.usage;
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`${error.message}\n`);
      return EXIT.badConfig;
    }
    if (error instanceof UsageError) {
      err(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof UnreadablePathError) {
      err(`klaxon: ${error.message}\n`);
      return EXIT.unreadable;
    }
    if (error instanceof LiveDeliveryError) {
      err(`klaxon: ${error.message}\n`);
      return EXIT.failure;
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`klaxon: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

if (process.argv[1] && /klaxon(\.ts|\.js)?$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`klaxon: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
