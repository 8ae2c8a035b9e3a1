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
