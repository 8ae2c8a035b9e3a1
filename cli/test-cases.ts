import { readFile } from 'node:fs/promises';
import * as z from '../shared/zod';
import { ConfigError } from '../shared/errors';
import { formatPath } from '../shared/config/load';
import { parseConfigYaml } from '../shared/config/yaml';
import { previewFiles, readConfigFile, UsageError } from './preview';
import { UnreadablePathError } from './replay';
import type { VerbIo } from './io';

export const TEST_HELP = `klaxon test <cases.yml> [--config klaxon.yml] [--json]

  Runs a table of routing cases offline (nothing is sent), for your own CI:

    config: klaxon.yml            # optional; --config wins
    at: 2026-03-14T10:00:00Z      # optional clock for every case (windows, silences)
    cases:
      - name: a 5xx pages on-call
        event: events/cloudwatch-alarm/sns-metric-alarm-5xx.json   # or a list, run in order
        at: 2026-03-15T01:30:00Z  # optional, per case
        expect:
          outcome: alerts          # alerts | ignored | invalid
          receivers: [oncall, alerts]   # exactly these (all alerts of the last event)
          routes: [page-critical, chat-critical]
          severity: critical
          suppressed: false        # true, false, or text the reason must contain

  Exit codes: 0 every case passed, 1 a case failed, 2 usage, 3 unreadable path, 4 invalid configuration
  or cases file.
`;

const casesSchema = z.strictObject({
  config: z.optional(z.string()),
  at: z.optional(z.iso.datetime({ offset: true })),
  cases: z
    .array(
      z.strictObject({
        name: z.string().check(z.minLength(1)),
        event: z.union([z.string(), z.array(z.string()).check(z.minLength(1))]),
        at: z.optional(z.iso.datetime({ offset: true })),
        expect: z.strictObject({
          outcome: z.optional(z.enum(['alerts', 'ignored', 'invalid'])),
          receivers: z.optional(z.array(z.string())),
          routes: z.optional(z.array(z.string())),
          severity: z.optional(z.enum(['critical', 'error', 'warning', 'info'])),
          suppressed: z.optional(z.union([z.boolean(), z.string()])),
        }),
      }),
    )
    .check(z.minLength(1)),
});

/** One case's verdict. */
export interface CaseResult {
  name: string;
  passed: boolean;
  problems: string[];
}

const list = (values: Iterable<string>) => `[${[...values].join(', ')}]`;
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);

/** `klaxon test`. */
export async function testVerb(
  positionals: string[],
  values: { config?: string; json: boolean },
  io: VerbIo,
): Promise<number> {
  const path = positionals[0];
  if (!path) throw new UsageError('klaxon test: name a cases file (e.g. test/routing-cases.yml)');
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UnreadablePathError(`cannot read ${path}: ${error.code ?? 'error'}`, { cause: error });
  });
  const parsed = casesSchema.safeParse(parseConfigYaml(text, path));
  if (!parsed.success) {
    throw new ConfigError(
      path,
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const file = parsed.data;
  const config = await readConfigFile(values.config ?? file.config ?? 'klaxon.yml');
  const results: CaseResult[] = [];
  for (const c of file.cases) {
    const events = Array.isArray(c.event) ? c.event : [c.event];
    const at = new Date(c.at ?? file.at ?? io.now().toISOString());
    const previewed = await previewFiles(events, config, at);
    const last = previewed[previewed.length - 1];
    const problems: string[] = [];
    if (last) {
      const { result } = last;
      const alerts = result.alerts.map((a) => a.decision);
      const expect = c.expect;
      if (expect.outcome && result.outcome !== expect.outcome) {
        problems.push(
          `outcome: expected ${expect.outcome}, got ${result.outcome}${result.error ? ` (${result.error})` : ''}`,
        );
      }
      const receivers = [...new Set(alerts.flatMap((d) => (d.suppressed ? [] : d.receivers)))];
      if (expect.receivers && !sameSet(receivers, expect.receivers)) {
        problems.push(`receivers: expected ${list(expect.receivers)}, got ${list(receivers)}`);
      }
      const routes = [...new Set(alerts.flatMap((d) => d.routes))];
      if (expect.routes && !sameSet(routes, expect.routes)) {
        problems.push(`routes: expected ${list(expect.routes)}, got ${list(routes)}`);
      }
      for (const d of alerts) {
        if (expect.severity && d.alert.severity !== expect.severity) {
          problems.push(
            `severity: expected ${expect.severity}, got ${d.alert.severity} (${d.alert.fingerprint})`,
          );
        }
        const s = expect.suppressed;
        if (s === true && !d.suppressed)
          problems.push(`suppressed: expected suppressed, but it goes to ${list(d.receivers)}`);
        if (s === false && d.suppressed) problems.push(`suppressed: expected delivery, but ${d.suppressed}`);
        if (typeof s === 'string' && !d.suppressed?.includes(s)) {
          problems.push(
            `suppressed: expected a reason containing "${s}", got ${d.suppressed ? `"${d.suppressed}"` : 'no suppression'}`,
          );
        }
      }
      if ((expect.severity !== undefined || expect.suppressed !== undefined) && alerts.length === 0) {
        problems.push(`expected an alert, got outcome ${result.outcome}`);
      }
    }
    results.push({ name: c.name, passed: problems.length === 0, problems });
  }
  const failed = results.filter((r) => !r.passed).length;
  if (values.json) {
    io.out(`${JSON.stringify({ cases: results, passed: results.length - failed, failed })}\n`);
  } else {
    for (const r of results) {
      io.out(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}\n`);
      for (const problem of r.problems) io.out(`      ${problem}\n`);
    }
    io.out(`\n${results.length} cases: ${results.length - failed} passed, ${failed} failed.\n`);
  }
  return failed > 0 ? 1 : 0;
}
