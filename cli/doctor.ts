import { readFile } from 'node:fs/promises';
import { parseConfigYaml } from '../shared/config/yaml';
import { type DoctorPort, type Finding, runDoctor, ssmReferences } from '../shared/onboarding/doctor';
import { loadCheckedConfig } from './config';
import { EXIT } from './failure';
import { UsageError } from './preview';
import { UnreadablePathError } from './replay';
import type { VerbIo } from './io';

export const DOCTOR_HELP = `klaxon doctor --stage s [--region r] [--config klaxon.yml] [--json]

  Read-only checks of what feeds Klaxon in this account and region, each finding with a severity
  and a fix:
    trail    a multi-region CloudTrail trail that is logging, with log file validation, KMS
             encryption and all management events
    rules    Klaxon's EventBridge rules (klaxon-<stage>-*) exist and are enabled; outside
             us-east-1, whether the global-service detection rules are deployed in us-east-1
    topic    klaxon-<stage>-alarms lets cloudwatch.amazonaws.com publish; a KMS-encrypted topic
             needs a key policy that allows CloudWatch
    alarms   alarms whose AlarmActions include the topic also have it in OKActions
    secrets  every {ssm: name} of klaxon.yml exists as /klaxon/<stage>/<name> (values never read)
  An API the doctor may not call is reported as "could not check" and the exit code is 5: a gate
  must not pass having checked nothing. Uses your AWS
  credentials (cloudtrail:DescribeTrails/GetTrailStatus/GetEventSelectors, events:ListRules,
  sns:ListTopics/GetTopicAttributes, cloudwatch:DescribeAlarms, ssm:GetParameter).

  Exit codes: 0 every check ran and none found an error, 1 at least one error-level finding,
  2 usage, 3 klaxon.yml missing, 4 invalid klaxon.yml, 5 a check could not run (credentials,
  permissions, region).
`;

const MARK: Record<Finding['severity'], string> = {
  error: 'ERROR',
  warning: 'WARN ',
  info: 'INFO ',
  ok: 'ok   ',
};

/** Human-readable report lines. */
export function formatFindings(findings: Finding[]): string {
  const lines = findings.map(
    (f) =>
      `${MARK[f.severity]}  ${f.check.padEnd(7)}  ${f.message}${f.fix ? `\n                  fix: ${f.fix}` : ''}`,
  );
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  lines.push(`${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes.`);
  return `${lines.join('\n')}\n`;
}

/** `klaxon doctor`; `port` is injectable for tests. */
export async function doctorVerb(
  values: { stage?: string; region?: string; config: string; json: boolean },
  io: VerbIo,
  makePort?: (region: string) => DoctorPort,
): Promise<number> {
  if (!values.stage)
    throw new UsageError('klaxon doctor: --stage is required (the stage you deployed, e.g. prod)');
  const path = values.config;
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UnreadablePathError(
      `cannot read the configuration ${path} (${error.code ?? 'error'})\nfix: run from the directory holding klaxon.yml, or pass --config <path>`,
      { cause: error },
    );
  });
  loadCheckedConfig(text, path);
  const secrets = ssmReferences(parseConfigYaml(text, path));
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const port = makePort
    ? makePort(region)
    : (await import('../shared/onboarding/doctor-aws')).awsDoctorPort(region);
  const findings = await runDoctor(port, { stage: values.stage, secrets });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const unchecked = findings.filter((f) => f.subject?.startsWith('could-not-check:')).length;
  // `subject` is the self-check's identity of a finding, not part of the report.
  const shown = findings.map(({ subject: _subject, ...finding }) => finding);
  io.out(
    values.json
      ? `${JSON.stringify({ stage: values.stage, region, errors, unchecked, findings: shown })}\n`
      : `klaxon doctor: stage ${values.stage}, region ${region}\n${formatFindings(findings)}`,
  );
  if (errors > 0) return EXIT.failure;
  if (unchecked > 0) {
    io.err(
      `klaxon doctor: ${unchecked} check(s) could not run; fix the credentials or permissions named above and run again.\n`,
    );
    return EXIT.aws;
  }
  return EXIT.ok;
}
