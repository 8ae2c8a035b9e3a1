import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { progressBar } from '../../cli/progress';
import { repoText } from '../support/fixtures';
import { runCli } from '../support/cli';

const run = runCli;

const tmp = () => mkdtempSync(join(tmpdir(), 'klaxon-noise-'));

function proposedConfig(extra: string): string {
  const path = join(tmp(), 'proposed.yml');
  writeFileSync(path, `${repoText('klaxon.yml')}\n${extra}`);
  return path;
}

describe('klaxon test', () => {
  it('passes the shipped routing cases against the example klaxon.yml and fixtures', async () => {
    const { code, stdout } = await run('test', 'test/routing-cases.yml');
    expect(stdout).toContain('7 cases: 7 passed, 0 failed.');
    expect(code).toBe(EXIT.ok);
  });

  it('exits 1 on a mismatch and says what differed; --json for scripts', async () => {
    const cases = join(tmp(), 'cases.yml');
    writeFileSync(
      cases,
      `cases:
  - name: wrong on purpose
    event: events/cloudwatch-alarm/sns-metric-alarm-5xx.json
    expect: { receivers: [alerts], suppressed: true }
`,
    );
    const text = await run('test', cases);
    expect(text.code).toBe(EXIT.failure);
    expect(text.stdout).toContain('FAIL  wrong on purpose');
    expect(text.stdout).toContain('receivers: expected [alerts], got [oncall, alerts]');
    const json = await run('test', cases, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: 0, failed: 1 });
  });

  it('checks maintenance windows at the case clock, and a bad cases file is exit 4 naming the key', async () => {
    const config = proposedConfig(`maintenanceWindows:
  - name: sunday
    timeZone: Europe/Berlin
    schedule: [{ days: [sun], start: '02:00', end: '04:00' }]
    match: { alarmName: 'api-*' }`);
    const cases = join(tmp(), 'cases.yml');
    writeFileSync(
      cases,
      `cases:
  - name: muted inside the window
    event: events/cloudwatch-alarm/sns-metric-alarm-5xx.json
    at: '2026-03-15T01:30:00Z'
    expect: { suppressed: 'maintenance window sunday' }
  - name: delivered outside it
    event: events/cloudwatch-alarm/sns-metric-alarm-5xx.json
    at: '2026-03-15T03:00:00Z'
    expect: { receivers: [oncall, alerts] }
`,
    );
    const { code, stdout } = await run('test', cases, '--config', config);
    expect(stdout).toContain('2 passed, 0 failed');
    expect(code).toBe(EXIT.ok);
    writeFileSync(cases, 'cases:\n  - name: x\n    expect: {}\n');
    const bad = await run('test', cases);
    expect(bad.code).toBe(EXIT.badConfig);
    expect(bad.stderr).toContain('cases[0].event');
  });
});

describe('klaxon diff', () => {
  it('lists pages and messages that would disappear under a proposed config, with the reason', async () => {
    const config = proposedConfig(`silences:
  - id: api-quiet
    match: { alarmName: 'api-*' }
    reason: noisy during the migration`);
    const { code, stdout } = await run(
      'diff',
      '--config',
      config,
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      'events/cloudwatch-alarm/sns-metric-math-error-rate.json',
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/- page {4}oncall {5}api-prod-5xx \(critical firing\)/);
    expect(stdout).toContain('silenced by api-quiet: noisy during the migration');
    expect(stdout).toContain(
      '2 files: 0 pages and 0 messages would appear, 1 pages and 1 messages would disappear.',
    );
    const json = await run('diff', '--config', config, 'events/cloudwatch-alarm', '--json', '--exit-code');
    expect(json.code).toBe(EXIT.failure);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.summary.pagesDisappear).toBeGreaterThan(0);
    expect(parsed.changes.every((c: { change: string }) => c.change === '-')).toBe(true);
  });

  it('reports no change for the same configuration, and needs --config', async () => {
    const same = await run('diff', '--config', 'klaxon.yml', 'events/cloudwatch-alarm', '--exit-code');
    expect(same.stdout).toContain('No change.');
    expect(same.code).toBe(EXIT.ok);
    expect((await run('diff', 'events')).code).toBe(EXIT.usage);
  });
});

describe('klaxon explain <event file>', () => {
  it('prints the route walk, suppression and would-be receivers', async () => {
    const config = proposedConfig(`silences:
  - id: api-quiet
    match: { alarmName: 'api-*' }
    reason: migration`);
    const { code, stdout } = await run(
      'explain',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--config',
      config,
      '--at',
      '2026-03-14T10:00:00Z',
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('page-critical');
    expect(stdout).toMatch(/chat-error-warning .* not reached/);
    expect(stdout).toContain('suppressed:  silence: silenced by api-quiet: migration');
    expect(stdout).toContain('would go to: oncall, alerts');
  });

  it('is a usage error for a fingerprint without --stage, and for a bad --at', async () => {
    expect((await run('explain', 'arn:aws:cloudwatch:us-east-1:1:alarm:x')).code).toBe(EXIT.usage);
    expect((await run('explain', 'events', '--at', 'yesterday')).code).toBe(EXIT.usage);
  });
});

describe('the one klaxon command', () => {
  it('has --help for every verb', async () => {
    for (const verb of ['replay', 'validate', 'explain', 'test', 'diff', 'silence', 'drill', 'redrive']) {
      const { code, stdout } = await run(verb, '--help');
      expect(code, verb).toBe(EXIT.ok);
      expect(stdout, verb).toContain(`klaxon ${verb}`);
    }
    expect((await run('silence', 'add')).code).toBe(EXIT.usage);
    expect((await run('drill', '--stage', 'x')).code).toBe(EXIT.usage);
  });

  it('replay --at applies static silences deterministically, and --json stays pure NDJSON', async () => {
    const config = proposedConfig(`silences:
  - id: q
    match: { alarmName: 'api-*' }
    reason: r
    endsAt: '2026-03-14T11:00:00Z'`);
    const inside = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--config',
      config,
      '--json',
      '--out',
      tmp(),
      '--at',
      '2026-03-14T10:00:00Z',
    );
    expect(JSON.parse(inside.stdout).alerts[0]).toMatchObject({
      receivers: [],
      suppressed: 'silenced by q: r',
    });
    const after = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--config',
      config,
      '--json',
      '--out',
      tmp(),
      '--at',
      '2026-03-14T11:00:00Z',
    );
    expect(JSON.parse(after.stdout).alerts[0].suppressed).toBeUndefined();
  });

  it('draws a progress bar only on a terminal', () => {
    const written: string[] = [];
    expect(progressBar({ isTTY: false, write: (t: string) => written.push(t) }, 'replay')).toBeUndefined();
    const bar = progressBar({ isTTY: true, write: (t: string) => written.push(t) }, 'replay', 2);
    bar?.(1, 4);
    expect(written[0]).toBe(
      '\rreplay [########.......................] 1/4'.replace(
        '########.......................',
        `${'#'.repeat(8)}${'.'.repeat(22)}`,
      ),
    );
  });
});
