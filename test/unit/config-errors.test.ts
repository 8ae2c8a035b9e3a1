import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { ConfigError } from '../../shared/errors';

function problems(text: string): Array<{ path: string; message: string }> {
  try {
    loadConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const base = `receivers:
  chat:
    type: slack
    webhookUrl: { ssm: slack-alerts }
`;

describe('configuration errors a person can act on', () => {
  it('a missing section names what was expected and that nothing was found', () => {
    expect(problems(base)).toContainEqual({
      path: 'route',
      message: 'required: expected a mapping (key: value lines), found nothing (the key is missing)',
    });
  });

  it('an inline secret says to use { ssm: name } or { env: NAME } and never echoes it', () => {
    const secret = 'R0123456789abcdef0123456789abcdef';
    const found = problems(`receivers:
  oncall:
    type: pagerduty
    routingKey: ${secret}
route: { receiver: oncall }
`);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('receivers.oncall.routingKey');
    expect(found[0]!.message).toContain('{ ssm: name }');
    expect(found[0]!.message).toContain('{ env: NAME }');
    expect(JSON.stringify(found)).not.toContain(secret);
  });

  it('an inline 300 KB secret is neither echoed nor slow', () => {
    const secret = 'x'.repeat(300_000);
    const started = performance.now();
    const found = problems(
      `receivers:\n  chat:\n    type: slack\n    webhookUrl: "${secret}"\nroute: { receiver: chat }\n`,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(JSON.stringify(found).length).toBeLessThan(1_000);
  });

  it('an unknown receiver type lists the allowed ones', () => {
    const found = problems(`receivers:\n  chat:\n    type: slackk\nroute: { receiver: chat }\n`);
    expect(found[0]).toEqual({
      path: 'receivers.chat.type',
      message: expect.stringMatching(
        /^unknown type "slackk"; expected one of pagerduty, slack, webhook, sns, console/,
      ),
    });
  });

  it('an unknown enum value lists the allowed ones and shows what was found', () => {
    const found = problems(`${base}route: { receiver: chat }\ndefaults: { severity: loud }\n`);
    expect(found).toEqual([
      { path: 'defaults.severity', message: 'expected one of critical, error, warning, info; found "loud"' },
    ]);
  });

  it('a wrong type says what was found in words', () => {
    const found = problems(`${base}route: { receiver: chat }\ndelivery: { retrySchedule: 60 }\n`);
    expect(found).toEqual([{ path: 'delivery.retrySchedule', message: 'expected a list, found number 60' }]);
  });

  it('a YAML syntax error gives line, column and the line itself', () => {
    const found = problems('receivers:\n  chat:\n    type: slack\n   webhookUrl: x\n');
    expect(found[0]!.path).toBe('line 4, column 1');
    expect(found[0]!.message).toBe(
      'All mapping items must start at the same column\n      4 |    webhookUrl: x\n        | ^',
    );
  });

  it('rejects two routes with the same name, wherever they are in the tree', () => {
    const found = problems(`${base}route:
  receiver: chat
  routes:
    - name: critical
      match: { severity: critical }
      receiver: chat
      routes:
        - name: critical
          match: { team: payments }
          receiver: chat
`);
    expect(found).toEqual([
      {
        path: 'route.routes[0].routes[0].name',
        message: expect.stringMatching(
          /^duplicate route name "critical" \(first used at route\.routes\[0\]\)/,
        ),
      },
    ]);
  });
});
