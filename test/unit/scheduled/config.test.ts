import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/yaml';
import { ConfigError } from '../../../shared/errors';

const require = createRequire(import.meta.url);
const { scheduleOf } = require('../../../deploy/schedules.cjs') as {
  scheduleOf: (section: string, file: string) => string | undefined;
};

const base = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK_URL } }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
  deadman: { type: webhook, url: { env: DEADMAN_URL } }
route:
  receiver: chat
`;

function problemsOf(text: string): Array<{ path: string; message: string }> {
  try {
    loadConfig(text, 'test.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('digest, heartbeat and selfCheck sections', () => {
  it('are absent unless configured, and take their defaults when configured', () => {
    expect(loadConfig(base).digest).toBeUndefined();
    const config = loadConfig(`${base}
digest: { receiver: chat }
heartbeat: { receiver: deadman }
selfCheck: {}
`);
    expect(config.digest).toEqual({
      enabled: true,
      receiver: 'chat',
      schedule: 'cron(0 8 * * ? *)',
      periodHours: 24,
      quickResolveMinutes: 10,
      top: 10,
    });
    expect(config.heartbeat).toEqual({ enabled: true, receiver: 'deadman', schedule: 'rate(5 minutes)' });
    expect(config.selfCheck).toEqual({ enabled: true, schedule: 'cron(0 7 * * ? *)', minimum: 'warning' });
  });

  it('drops a disabled section', () => {
    expect(loadConfig(`${base}\ndigest: { receiver: nowhere, enabled: false }\n`).digest).toBeUndefined();
  });

  it('names a bad schedule, an unknown receiver and a receiver of the wrong type by path', () => {
    expect(problemsOf(`${base}\ndigest: { receiver: chat, schedule: 'every day' }\n`)).toEqual([
      { path: 'digest.schedule', message: expect.stringContaining('rate(N minutes|hours|days)') },
    ]);
    expect(problemsOf(`${base}\ndigest: { receiver: nobody }\n`)).toEqual([
      { path: 'digest.receiver', message: 'unknown receiver "nobody" (defined: chat, pager, deadman)' },
    ]);
    expect(problemsOf(`${base}\ndigest: { receiver: pager }\n`)[0]?.path).toBe('digest.receiver');
    expect(problemsOf(`${base}\nheartbeat: { receiver: pager }\n`)).toEqual([
      { path: 'heartbeat.receiver', message: expect.stringContaining("dead man's switch") },
    ]);
  });

  it('refuses a digest without the decision records it is built from', () => {
    expect(problemsOf(`${base}\ndigest: { receiver: chat }\ndecisionRecords: { enabled: false }\n`)).toEqual([
      { path: 'digest', message: expect.stringContaining('decisionRecords.enabled') },
    ]);
  });
});

describe('digest schedule and period', () => {
  const warningsOf = (digest: string, extra = '') =>
    loadConfig(`${base}\ndigest: ${digest}\n${extra}`).warnings.filter(
      (w) => w.path === 'digest.periodHours' || w.path === 'decisionRecords.ttlDays',
    );

  it('warns (without refusing) when the schedule leaves time between periods that no digest covers', () => {
    expect(warningsOf(`{ receiver: chat, schedule: 'rate(2 days)' }`)).toEqual([
      {
        path: 'digest.periodHours',
        message: expect.stringMatching(
          /rate\(2 days\) runs every 48 h but each digest covers 24 h: 24 h .* in neither; set periodHours: 48/,
        ),
      },
    ]);
    expect(warningsOf(`{ receiver: chat, schedule: 'cron(0 8 ? * MON *)' }`)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('every 168 h but each digest covers 24 h'),
      }),
    ]);
    expect(warningsOf(`{ receiver: chat, schedule: 'rate(14 days)', periodHours: 168 }`)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('run it at least every 168 h') }),
    ]);
  });

  it('warns when periods overlap, so each digest counts again what the previous one did', () => {
    expect(warningsOf(`{ receiver: chat, schedule: 'rate(12 hours)' }`)).toEqual([
      {
        path: 'digest.periodHours',
        message: expect.stringMatching(
          /every 12 h but each digest covers 24 h: each repeats the last 12 h .*periodHours: 12/,
        ),
      },
    ]);
    expect(warningsOf(`{ receiver: chat, schedule: 'cron(0 8 * * ? *)', periodHours: 168 }`)).toHaveLength(1);
    expect(warningsOf(`{ receiver: chat, schedule: 'rate(30 minutes)' }`)[0]?.message).toContain(
      'every 0.5 h but each digest covers 24 h',
    );
  });

  it('is quiet when schedule and period match, and for cron expressions it cannot read plainly', () => {
    for (const digest of [
      '{ receiver: chat }',
      `{ receiver: chat, schedule: 'cron(30 6 ? * * *)' }`,
      `{ receiver: chat, schedule: 'rate(1 day)' }`,
      `{ receiver: chat, schedule: 'rate(6 hours)', periodHours: 6 }`,
      `{ receiver: chat, schedule: 'rate(120 minutes)', periodHours: 2 }`,
      `{ receiver: chat, schedule: 'cron(0 8 ? * FRI *)', periodHours: 168 }`,
      `{ receiver: chat, schedule: 'cron(0 8 ? * 6 *)', periodHours: 168 }`,
      `{ receiver: chat, schedule: 'cron(0 8,20 * * ? *)' }`,
      `{ receiver: chat, schedule: 'cron(0 8 ? * MON-FRI *)' }`,
      `{ receiver: chat, schedule: 'rate(2 days)', enabled: false }`,
    ]) {
      expect(warningsOf(digest), digest).toEqual([]);
    }
  });

  it('warns when decision records expire before the digest reads them', () => {
    expect(
      warningsOf(
        `{ receiver: chat, schedule: 'cron(0 8 ? * MON *)', periodHours: 168 }`,
        'decisionRecords: { ttlDays: 3 }',
      ),
    ).toEqual([
      {
        path: 'decisionRecords.ttlDays',
        message: expect.stringContaining('expire after 72 h, before the digest reads its 168 h'),
      },
    ]);
    expect(warningsOf(`{ receiver: chat }`, 'decisionRecords: { ttlDays: 1 }')).toEqual([]);
    // Disabled records are already a problem (refused), not a warning.
    expect(
      problemsOf(
        `${base}\ndigest: { receiver: chat, periodHours: 48, schedule: 'rate(2 days)' }\ndecisionRecords: { enabled: false, ttlDays: 1 }\n`,
      ),
    ).toEqual([{ path: 'digest', message: expect.stringContaining('decisionRecords.enabled') }]);
  });
});

describe('deploy/schedules.cjs', () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'klaxon-schedules-')), 'klaxon.yml');
    writeFileSync(file, text);
    return file;
  };

  it('gives each configured function its schedule, the default when none is written, none when disabled', () => {
    const file = write(`${base}
digest: { receiver: chat, schedule: 'cron(30 6 * * ? *)' }
heartbeat: { receiver: deadman }
selfCheck: { enabled: false }
`);
    expect(scheduleOf('digest', file)).toBe('cron(30 6 * * ? *)');
    expect(scheduleOf('heartbeat', file)).toBe('rate(5 minutes)');
    expect(scheduleOf('selfCheck', file)).toBeUndefined();
  });

  it('fails with the path of a bad schedule', () => {
    const file = write(`${base}\nheartbeat: { receiver: deadman, schedule: 'often' }\n`);
    expect(() => scheduleOf('heartbeat', file)).toThrow(
      /heartbeat\.schedule: expected rate\(\.\.\.\) or cron/,
    );
  });
});
