#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { KlaxonConfig } from '../shared/config/load';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../shared/delivery/redrive';
import { ApprovalNotFoundError } from '../shared/errors';
import { loadCheckedConfig } from './config';
import { describeFailure, EXIT } from './failure';
import { replay, UnreadablePathError } from './replay';
import { parseAt } from './preview';
import { progressBar } from './progress';
import { runVerb, VERB_USAGE } from './verbs';

export { EXIT } from './failure';

const HELP = `klaxon — CloudWatch alarms and AWS security events to PagerDuty and Slack

Usage:
  klaxon replay <file|dir>... [--config klaxon.yml] [--live] [--json] [--enrich] [--out out/replay] [--html f]
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

--debug (any verb) adds the stack trace to a failure; otherwise a failure is one or two lines.

Exit codes: 0 ok, 1 failure (a test case failed, a diff with --exit-code, nothing found),
2 usage error, 3 unreadable path (a missing klaxon.yml too), 4 invalid configuration,
5 AWS credentials, permissions or resources missing (also: doctor could not run a check).
`;

const REPLAY_HELP = `klaxon replay <file|dir>... [--config klaxon.yml] [--live] [--json] [--enrich] [--out out/replay]
              [--at ISO] [--html report.html]

  Runs fixture events through the same pipeline the Lambda runs. By default nothing is sent: the
  exact payloads are written under --out. --live delivers for real, reading secrets from the
  environment ({env: NAME}, or KLAXON_SECRET_<NAME> for {ssm: name}). --json prints one NDJSON line
  per file (docs/replay-output.md). --html writes one self-contained page showing each decision and
  what each receiver would show (docs/cli.md). --enrich asks AWS for alarm tags and datapoints.

  Exit codes: 0 ok, 2 usage, 3 unreadable path, 4 invalid configuration.
`;

const REDRIVE_HELP = `klaxon redrive --stage <stage> [--region r] [--dry-run] [--max n]

  Moves deliveries Klaxon gave up on (the klaxon-<stage>-delivery-dlq queue) back to the retry
  queue with a fresh retry schedule. --dry-run lists them and leaves them visible, so a redrive
  right after moves them all. Uses your AWS credentials (sqs:GetQueueUrl, sqs:ReceiveMessage,
  sqs:ChangeMessageVisibility, sqs:SendMessage, sqs:DeleteMessage).

  Exit codes: 0 done, 2 usage, 5 AWS credentials, permissions or queues missing.
`;

const APPROVE_HELP = `klaxon approve <id> --stage <stage> [--by name] [--region r] [--config klaxon.yml]

  Approves a remediation waiting for approval (the id is in the alert) and starts it behind the
  same guards as the Lambda (caps, circuit breaker, idempotency). Uses your AWS credentials:
  read/write on klaxon-<stage>-state and permission to start the document. --by names you in the
  audit record. With remediation.approval.auth: iam it posts the id to remediation.approval.url
  signed with SigV4 instead (lambda:InvokeFunctionUrl); the endpoint records your IAM ARN.

  Exit codes: 0 started, 1 refused or not found, 2 usage, 4 invalid configuration,
  5 AWS credentials, permissions or resources missing.
`;

const VALIDATE_HELP = `klaxon validate [klaxon.yml]

  Validates the configuration and names every bad key: where, what was expected, what was found.

  Exit codes: 0 valid, 3 file missing or unreadable, 4 invalid configuration.
`;

async function readConfig(path: string): Promise<KlaxonConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UnreadablePathError(
      `cannot read the configuration ${path} (${error.code ?? 'error'})\nfix: run from the directory holding klaxon.yml, or pass --config <path>`,
      { cause: error },
    );
  });
  return loadCheckedConfig(text, path);
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The SDK's Node-version notice is not the operator's business on every call.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const debug = argv.includes('--debug');
  const [verb, ...rest] = argv.filter((arg) => arg !== '--debug');
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
        out(VALIDATE_HELP);
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
          html: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        out(REPLAY_HELP);
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
        ...(values.html ? { html: values.html } : {}),
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
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        out(APPROVE_HELP);
        return EXIT.ok;
      }
      const id = positionals[0];
      if (!id || !values.stage) {
        err('klaxon approve: give the approval id and --stage (e.g. klaxon approve <id> --stage prod)\n');
        return EXIT.usage;
      }
      const { approveRemediation } = await import('./approve');
      const config = await readConfig(values.config);
      const result = await approveRemediation({
        id,
        stage: values.stage,
        region: values.region,
        by: `${values.by} (klaxon approve)`,
        config,
      }).catch((error: unknown) => {
        if (error instanceof ApprovalNotFoundError) return undefined;
        throw error;
      });
      if (!result) {
        err(
          `klaxon approve: no remediation ${id} in stage ${values.stage}\nfix: copy the id from the alert, and check --stage and --region (approvals expire)\n`,
        );
        return EXIT.failure;
      }
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
        out(REDRIVE_HELP);
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
        if (!found.QueueUrl)
          throw new UnreadablePathError(`queue ${name} not found (is the stage deployed?)`);
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
    const failure = describeFailure(error, debug);
    err(`${failure.lines.join('\n')}\n`);
    return failure.code;
  }
}

if (process.argv[1] && /klaxon(\.ts|\.js)?$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const failure = describeFailure(error, process.argv.includes('--debug'));
      process.stderr.write(`${failure.lines.join('\n')}\n`);
      process.exitCode = failure.code;
    },
  );
}
