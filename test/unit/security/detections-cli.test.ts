import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DetectionRow,
  detectionRows,
  detectionsVerb,
  failedCallCell,
  titleCell,
} from '../../../cli/detections';
import { runVerb, VERB_HELP } from '../../../cli/verbs';
import { REPO_ROOT, repoText } from '../../support/fixtures';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = detectionsVerb(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    now: () => new Date('2026-03-14T10:00:00Z'),
  });
  return { code, out, err };
}

const FIXTURES = readdirSync(join(REPO_ROOT, 'events', 'cloudtrail'));

describe('klaxon detections', () => {
  it('--json lists at least 70 detections, each with an ATT&CK id, a failed-call behaviour and both fixtures', () => {
    const { code, out } = run(['--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as DetectionRow[];
    expect(rows.length).toBeGreaterThanOrEqual(70);
    for (const row of rows) {
      expect(row.techniques.length, row.id).toBeGreaterThan(0);
      expect(['ignored', 'same severity', 'own severity', 'only failed calls']).toContain(row.failedCalls);
      expect(row.failedSeverity === undefined, row.id).toBe(row.failedCalls === 'ignored');
      expect(
        FIXTURES.some((f) => f.startsWith(`eventbridge-${row.id}-positive`)),
        row.id,
      ).toBe(true);
      expect(
        FIXTURES.some((f) => f.startsWith(`eventbridge-${row.id}-negative`)),
        row.id,
      ).toBe(true);
    }
    const leave = rows.find((r) => r.id === 'organizations-leave');
    expect(leave).toMatchObject({
      severity: 'critical',
      failedCalls: 'own severity',
      failedSeverity: 'error',
    });
    expect(rows.find((r) => r.id === 'discovery-burst')?.threshold).toEqual({
      counts: 'distinct-calls',
      count: 100,
      windowSeconds: 300,
    });
    expect(rows.find((r) => r.id === 'instance-credentials-used-elsewhere')?.needsEgressCidrs).toBe(true);
    expect(rows.filter((r) => r.threshold || r.needsEgressCidrs).map((r) => r.id)).toHaveLength(3);
    expect(rows.find((r) => r.id === 'cis-cloudwatch-7-cmk-disabled-or-deleted')?.cis).toContain(
      'CIS CloudWatch.7',
    );
  });

  it('is counted right wherever the docs give the number of detections', () => {
    const rows = detectionRows();
    for (const file of ['README.md', 'docs/config-modules.md']) {
      const counts = [...repoText(file).matchAll(/\b(\d+) detections\b/g)].map((m) => Number(m[1]));
      expect(counts, file).not.toEqual([]);
      for (const count of counts) expect(count, file).toBe(rows.length);
    }
  });

  it('prints a text table by tactic, and refuses --json with --markdown or an unknown option', () => {
    const text = run([]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Initial access \(TA0001\): \d+$/m);
    expect(text.out).toMatch(/organizations-leave +critical +failed: alerts at error/);
    expect(run(['--json', '--markdown']).code).toBe(2);
    const bad = run(['--yaml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('klaxon detections');
  });

  it('is registered as a verb', async () => {
    expect(VERB_HELP.detections).toContain('klaxon detections');
    let out = '';
    const code = await runVerb('detections', ['--json'], {
      out: (t) => (out += t),
      err: () => {},
      now: () => new Date(),
    });
    expect(code).toBe(0);
    expect((JSON.parse(out) as unknown[]).length).toBe(detectionRows().length);
  });
});

describe('docs/detections.md', () => {
  it('lists exactly the catalog (run npx tsx scripts/generate-detections-doc.ts)', () => {
    const doc = repoText('docs/detections.md');
    const block = doc.slice(doc.indexOf('<!-- detections:start'), doc.indexOf('<!-- detections:end -->'));
    const documented = block
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const expected = detectionRows().map((r) => [
      `\`${r.id}\``,
      r.severity,
      failedCallCell(r),
      r.techniques.join(', '),
      r.cis.join(', ') || '-',
      titleCell(r),
    ]);
    expect(documented).toEqual(expected);
  });
});
