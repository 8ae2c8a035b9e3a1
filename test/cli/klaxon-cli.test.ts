import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { runCli } from '../support/cli';

const run = runCli;

const outDir = () => mkdtempSync(join(tmpdir(), 'klaxon-replay-'));

describe('klaxon replay --json (docs/replay-output.md)', () => {
  it('prints exactly one NDJSON line per file, in lexical path order, and nothing else', async () => {
    const { code, stdout } = await run('replay', 'events', '--json', '--out', outDir());
    expect(code).toBe(EXIT.ok);
    const lines = stdout.trimEnd().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const files = parsed.map((p) => p.file as string);
    expect(files).toEqual([...files].sort());
    expect(files).toHaveLength(
      readdirSync('events', { recursive: true }).filter((f) => String(f).endsWith('.json')).length,
    );
    for (const line of parsed) {
      expect(['alerts', 'ignored', 'invalid']).toContain(line.outcome);
      expect(Array.isArray(line.alerts)).toBe(true);
      if (line.outcome === 'invalid') expect(typeof line.error).toBe('string');
    }
  });

  it('describes each alert with the contract fields and AWS state spellings', async () => {
    const { stdout } = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--json',
      '--out',
      outDir(),
    );
    const line = JSON.parse(stdout);
    expect(line).toEqual({
      file: 'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      outcome: 'alerts',
      alerts: [
        {
          fingerprint: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
          transitionId: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx|ALARM|1773481267123',
          status: 'firing',
          severity: 'critical',
          labels: expect.objectContaining({
            source: 'cloudwatch-alarm',
            account: '123456789012',
            region: 'us-east-1',
            alarmName: 'api-prod-5xx',
            alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx',
            state: 'ALARM',
            previousState: 'OK',
          }),
          annotations: expect.objectContaining({
            summary: expect.any(String),
            runbookUrl: 'https://runbooks.example.com/api-5xx',
            consoleUrl: expect.stringContaining('#alarmsV2:alarm/api-prod-5xx'),
          }),
          route: ['page-critical', 'chat-critical'],
          receivers: ['oncall', 'alerts'],
          provenance: {
            trigger: 'sns',
            via: 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms',
            remediation: { trusted: true, reason: expect.stringContaining("the stack's alarm topic") },
            resolve: { trusted: true, reason: expect.stringContaining("the stack's alarm topic") },
          },
        },
      ],
    });
  });

  it('lists suppressed alerts with the reason and no receivers', async () => {
    const { stdout } = await run(
      'replay',
      'events/cloudwatch-alarm/eventbridge-muted-alarm.json',
      '--json',
      '--out',
      outDir(),
    );
    const [alert] = JSON.parse(stdout).alerts;
    expect(alert.receivers).toEqual([]);
    expect(alert.suppressed).toBe('muted by alarm mute rule deploy-window');
  });

  it('reports invalid input with its error and the notice sent to the catch-all', async () => {
    const { stdout } = await run('replay', 'events/unrecognized/not-json.json', '--json', '--out', outDir());
    const line = JSON.parse(stdout);
    expect(line).toMatchObject({ outcome: 'invalid', alerts: [], error: expect.stringMatching(/^not JSON/) });
    expect(line.notices).toEqual([{ receivers: ['alerts'], reason: line.error }]);
  });

  it('lists bad records of a multi-record event under errors', async () => {
    const dir = outDir();
    const good = JSON.parse(readFileSync('events/cloudwatch-alarm/sns-metric-alarm-5xx.json', 'utf8'))
      .Records[0];
    const file = join(dir, 'mixed.json');
    writeFileSync(file, JSON.stringify({ Records: [good, { bad: true }] }));
    const { stdout } = await run('replay', file, '--json', '--out', dir);
    const line = JSON.parse(stdout);
    expect(line.outcome).toBe('alerts');
    expect(line.errors).toEqual([
      { record: 1, error: expect.stringContaining('Records[1] is not an SNS record') },
    ]);
  });

  it('fails with nothing on stdout and the bad key named when the config is invalid', async () => {
    const dir = outDir();
    const config = join(dir, 'bad.yml');
    writeFileSync(config, 'receivers:\n  chat: { type: console }\nroute:\n  receiver: nobody\n');
    const { code, stdout, stderr } = await run('replay', 'events', '--json', '--config', config);
    expect(code).toBe(EXIT.badConfig);
    expect(stdout).toBe('');
    expect(stderr).toContain('route.receiver: unknown receiver "nobody"');
  });

  it('exits non-zero for an unreadable path and for a usage error', async () => {
    expect((await run('replay', 'no/such/dir', '--json')).code).toBe(EXIT.unreadable);
    expect((await run('replay', '--json')).code).toBe(EXIT.usage);
    expect((await run('replay', 'events', '--bogus')).code).toBe(EXIT.usage);
    expect((await run('frobnicate')).code).toBe(EXIT.usage);
  });
});

describe('klaxon replay (table)', () => {
  it('prints a decision for every file and writes the exact payloads', async () => {
    const dir = outDir();
    const { code, stdout } = await run('replay', 'events', '--out', dir);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('events/cloudwatch-alarm/sns-metric-alarm-5xx.json  →  ALERTS');
    expect(stdout).toContain('page-critical + chat-critical → oncall, alerts');
    expect(stdout).toMatch(/287 files: 186 with alerts, 91 ignored, 10 invalid\./);
    const payload = JSON.parse(
      readFileSync(join(dir, 'events/cloudwatch-alarm/sns-metric-alarm-5xx/alert-0-oncall.json'), 'utf8'),
    );
    expect(payload).toMatchObject({ event_action: 'trigger', routing_key: '<secret ssm:pagerduty-oncall>' });
  });
});

describe('klaxon validate', () => {
  it('accepts the example configuration', async () => {
    const { code, stdout } = await run('validate', 'klaxon.yml');
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('klaxon.yml is valid');
  });

  it('names the bad key', async () => {
    const dir = outDir();
    const config = join(dir, 'bad.yml');
    writeFileSync(
      config,
      'receivers:\n  pd: { type: pagerduty, routingKey: { ssm: k }, timeoutMs: 5 }\nroute: { receiver: pd }\n',
    );
    const { code, stderr } = await run('validate', config);
    expect(code).toBe(EXIT.badConfig);
    expect(stderr).toContain('receivers.pd.timeoutMs');
  });

  it('fails clearly for a missing file', async () => {
    const { code, stderr } = await run('validate', 'nope.yml');
    expect(code).toBe(EXIT.unreadable);
    expect(stderr).toContain('cannot read the configuration nope.yml (ENOENT)');
  });
});
