import { parseArgs } from 'node:util';
import { ALARMS_HELP, alarmsVerb } from './alarms';
import { DETECTIONS_HELP, detectionsVerb } from './detections';
import { DIFF_HELP, diffVerb } from './diff';
import { DIGEST_HELP, digestVerb } from './digest';
import { DOCTOR_HELP, doctorVerb } from './doctor';
import { DRILL_HELP, drillVerb } from './drill';
import { EXPLAIN_HELP, explainVerb } from './explain';
import type { VerbIo } from './io';
import { progressBar } from './progress';
import { SILENCE_HELP, silenceVerb } from './silence';
import { TEST_HELP, testVerb } from './test-cases';

export type { VerbIo } from './io';

/** The noise-control and operator verbs (shared/noise); `klaxon <verb> --help` prints each one's usage. */
export const VERB_HELP: Record<string, string> = {
  explain: EXPLAIN_HELP,
  test: TEST_HELP,
  diff: DIFF_HELP,
  silence: SILENCE_HELP,
  drill: DRILL_HELP,
  alarms: ALARMS_HELP,
  doctor: DOCTOR_HELP,
  digest: DIGEST_HELP,
  detections: DETECTIONS_HELP,
};

/** One line per verb for the top-level help. */
export const VERB_USAGE = `  klaxon explain <event file|fingerprint> [--config klaxon.yml] [--at ISO] [--stage s] [--json]
  klaxon test <cases.yml> [--config klaxon.yml] [--json]
  klaxon diff --config new.yml [--current klaxon.yml] <events dir>... [--json] [--exit-code]
  klaxon silence add|list|expire ... --stage <stage>
  klaxon drill --stage <stage> (--fixture <event.json> | --alarm <name> [--yes])
  klaxon alarms --stage <stage> [--format cloudformation|cloudformation-yaml|terraform] --lambda fn,... [--out file]
  klaxon doctor --stage <stage> [--region r] [--json]
  klaxon digest (--stage <stage> | --replay [<event file|dir>...]) [--hours n] [--post] [--json]
  klaxon detections [--json | --markdown]
`;

/** Runs one of the verbs above; undefined when `verb` is not one of them. */
export async function runVerb(
  verb: string,
  args: string[],
  io: VerbIo = defaultIo(),
): Promise<number | undefined> {
  const help = VERB_HELP[verb];
  if (help === undefined) return undefined;
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help);
    return 0;
  }
  if (verb === 'detections') return detectionsVerb(args, io);
  const common = { json: { type: 'boolean', default: false }, region: { type: 'string' } } as const;
  if (verb === 'explain') {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...common,
        config: { type: 'string', default: 'klaxon.yml' },
        at: { type: 'string' },
        stage: { type: 'string' },
        table: { type: 'string' },
      },
    });
    return explainVerb(positionals, values, io);
  }
  if (verb === 'test') {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: common.json, config: { type: 'string' } },
    });
    return testVerb(positionals, values, io);
  }
  if (verb === 'diff') {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: common.json,
        config: { type: 'string' },
        current: { type: 'string', default: 'klaxon.yml' },
        at: { type: 'string' },
        'exit-code': { type: 'boolean', default: false },
      },
    });
    return diffVerb(positionals, values, io);
  }
  if (verb === 'silence') {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...common,
        match: { type: 'string', multiple: true },
        for: { type: 'string' },
        until: { type: 'string' },
        starts: { type: 'string' },
        reason: { type: 'string' },
        'created-by': { type: 'string' },
        stage: { type: 'string' },
        table: { type: 'string' },
        all: { type: 'boolean', default: false },
      },
    });
    return silenceVerb(positionals, values, io);
  }
  if (verb === 'alarms') {
    const many = { type: 'string', multiple: true } as const;
    const { values } = parseArgs({
      args,
      options: {
        stage: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        lambda: many,
        instance: many,
        asg: many,
        table: many,
        alb: many,
        'target-group': many,
        team: { type: 'string', default: 'platform' },
        'runbook-base': { type: 'string', default: 'https://runbooks.example.com' },
      },
    });
    return alarmsVerb(values, io);
  }
  if (verb === 'digest') {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...common,
        config: { type: 'string', default: 'klaxon.yml' },
        stage: { type: 'string' },
        table: { type: 'string' },
        hours: { type: 'string' },
        at: { type: 'string' },
        replay: { type: 'boolean', default: false },
        post: { type: 'boolean', default: false },
      },
    });
    return digestVerb(positionals, values, io);
  }
  if (verb === 'doctor') {
    const { values } = parseArgs({
      args,
      options: { ...common, stage: { type: 'string' }, config: { type: 'string', default: 'klaxon.yml' } },
    });
    return doctorVerb(values, io);
  }
  const { values } = parseArgs({
    args,
    options: {
      ...common,
      stage: { type: 'string' },
      fixture: { type: 'string' },
      alarm: { type: 'string' },
      state: { type: 'string', default: 'ALARM' },
      'topic-arn': { type: 'string' },
      yes: { type: 'boolean', default: false },
    },
  });
  return drillVerb(values, io);
}

function defaultIo(): VerbIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    now: () => new Date(),
    progress: (label) => progressBar(process.stderr, label),
  };
}
