import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { ConfigError } from '../../shared/errors';
import { repoText } from '../support/fixtures';

const minimal = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK_URL } }
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

describe('klaxon.yml loading', () => {
  it('accepts the example configuration without warnings', () => {
    const config = loadConfig(repoText('klaxon.yml'));
    expect(Object.keys(config.receivers)).toEqual(['oncall', 'alerts', 'ops', 'log']);
    expect(config.route.routes.map((r) => r.name)).toEqual([
      'page-critical',
      'chat-critical',
      'chat-error-warning',
      'info-to-log',
    ]);
    expect(config.warnings).toEqual([]);
  });

  it('applies defaults', () => {
    const config = loadConfig(minimal);
    expect(config.defaults).toEqual({
      severity: 'warning',
      insufficientData: { notify: true, severity: 'warning' },
    });
    expect(config.intake.alarmTopics).toEqual([]);
  });

  it('names an unknown key with its full path', () => {
    const problems = problemsOf(`${minimal}  routes:\n    - receiver: chat\n      contineu: true\n`);
    expect(problems).toContainEqual({
      path: 'route.routes[0].contineu',
      message: 'unknown key (check its spelling and indentation)',
    });
  });

  it('rejects an inline secret', () => {
    const problems = problemsOf(`
receivers:
  pd: { type: pagerduty, routingKey: "0123456789abcdef0123456789abcdef" }
route: { receiver: pd }
`);
    expect(problems.map((p) => p.path)).toContain('receivers.pd.routingKey');
  });

  it('rejects an absolute SSM name: secrets live under the deployment prefix', () => {
    const problems = problemsOf(`
receivers:
  pd: { type: pagerduty, routingKey: { ssm: /other/prefix/key } }
route: { receiver: pd }
`);
    expect(problems[0]?.path).toBe('receivers.pd.routingKey.ssm');
    expect(problems[0]?.message).toContain('relative to the deployment prefix');
  });

  it('rejects an unknown receiver type', () => {
    const problems = problemsOf(`
receivers:
  pager: { type: opsgenie }
route: { receiver: pager }
`);
    expect(problems[0]?.path).toBe('receivers.pager.type');
  });

  it('reports a route naming an unknown receiver', () => {
    const problems = problemsOf(
      `${minimal}  routes:\n    - match: { severity: critical }\n      receiver: pagr\n`,
    );
    expect(problems).toContainEqual({
      path: 'route.routes[0].receiver',
      message: 'unknown receiver "pagr" (defined: chat)',
    });
  });

  it('reports a route made unreachable by a catch-all sibling', () => {
    const problems = problemsOf(
      `${minimal}  routes:\n    - receiver: chat\n    - match: { severity: critical }\n      receiver: chat\n`,
    );
    expect(problems[0]?.path).toBe('route.routes[1]');
    expect(problems[0]?.message).toMatch(/^unreachable/);
  });

  it('reports a route shadowed by an identical earlier match without continue', () => {
    const problems = problemsOf(
      `${minimal}  routes:\n    - match: { severity: critical }\n    - match: { severity: critical }\n`,
    );
    expect(problems.map((p) => p.path)).toEqual(['route.routes[1]']);
  });

  it('accepts identical matches when the first says continue', () => {
    expect(() =>
      loadConfig(
        `${minimal}  routes:\n    - match: { severity: critical }\n      continue: true\n    - match: { severity: critical }\n`,
      ),
    ).not.toThrow();
  });

  it('warns about severities no route delivers', () => {
    const config = loadConfig(`${minimal}  routes:\n    - match: { severity: critical }\n`);
    expect(config.warnings.filter((w) => w.path === 'route').map((w) => w.message)).toEqual([
      'no route delivers severity "error": it falls to the root receiver "chat"',
      'no route delivers severity "warning": it falls to the root receiver "chat"',
      'no route delivers severity "info": it falls to the root receiver "chat"',
    ]);
  });

  it('rejects a root route without a receiver and a root with a match', () => {
    const problems = problemsOf(`
receivers:
  chat: { type: console }
route:
  match: { severity: info }
`);
    expect(problems.map((p) => p.path)).toEqual(['route.receiver', 'route.match']);
  });

  it('rejects an invalid regular expression with its path', () => {
    const problems = problemsOf(
      `${minimal}severity:\n  - match: { alarmName: { regex: "([" } }\n    severity: critical\n`,
    );
    expect(problems[0]?.path).toBe('severity[0].match.alarmName.regex');
    expect(problems[0]?.message).toContain('invalid regular expression');
  });

  it('rejects a severity rule that matches on severity', () => {
    const problems = problemsOf(
      `${minimal}severity:\n  - match: { severity: info }\n    severity: critical\n`,
    );
    expect(problems).toContainEqual({
      path: 'severity[0].match.severity',
      message: 'a severity rule cannot match on the severity it sets',
    });
  });

  it('rejects an unknown severity with the allowed values', () => {
    const problems = problemsOf(`${minimal}defaults: { severity: urgent }\n`);
    expect(problems[0]?.path).toBe('defaults.severity');
    expect(problems[0]?.message).toContain('critical');
  });

  it('reports YAML syntax errors with a line number', () => {
    const problems = problemsOf('receivers:\n  chat: { type: console\nroute: [');
    expect(problems[0]?.path).toMatch(/^line \d+, column \d+$/);
  });

  it('rejects duplicate keys', () => {
    const problems = problemsOf(`${minimal}route:\n  receiver: chat\n`);
    expect(problems[0]?.message).toMatch(/unique|duplicate/i);
  });

  it('rejects a topic that is not an SNS ARN', () => {
    const problems = problemsOf(
      `${minimal}intake:\n  alarmTopics:\n    - arn: arn:aws:sqs:us-east-1:123456789012:q\n`,
    );
    expect(problems[0]?.path).toBe('intake.alarmTopics[0].arn');
  });

  it('reads intake.eventBridgeOverSns (opt-in, none by default) and names the bad key', () => {
    expect(loadConfig(minimal).intake.eventBridgeOverSns).toEqual([]);
    const topic = 'arn:aws:sns:us-east-1:123456789012:security-forwarding';
    const ok = loadConfig(
      `${minimal}intake:\n  eventBridgeOverSns:\n    - { topicArn: ${topic}, accounts: ['111122223333'] }\n`,
    );
    expect(ok.intake.eventBridgeOverSns).toEqual([{ topicArn: topic, accounts: ['111122223333'] }]);
    const bad = (entry: string) =>
      problemsOf(`${minimal}intake:\n  eventBridgeOverSns:\n    - ${entry}\n`)[0];
    expect(
      bad(`{ topicArn: arn:aws:sqs:us-east-1:123456789012:q, accounts: ['111122223333'] }`),
    ).toMatchObject({ path: 'intake.eventBridgeOverSns[0].topicArn', message: 'an SNS topic ARN' });
    expect(bad(`{ topicArn: ${topic}, accounts: [] }`)).toMatchObject({
      path: 'intake.eventBridgeOverSns[0].accounts',
      message: 'list at least one account whose events this topic may carry',
    });
    expect(bad(`{ topicArn: ${topic}, accounts: ['1234'] }`)).toMatchObject({
      path: 'intake.eventBridgeOverSns[0].accounts[0]',
      message: 'a 12-digit account id',
    });
    expect(bad(`{ topicArn: ${topic} }`)?.path).toBe('intake.eventBridgeOverSns[0].accounts');
    expect(bad(`{ topicArn: ${topic}, accounts: ['111122223333'], sources: [x] }`)?.path).toMatch(
      /^intake.eventBridgeOverSns\[0\]/,
    );
    const twice = problemsOf(
      `${minimal}intake:\n  eventBridgeOverSns:\n    - { topicArn: ${topic}, accounts: ['111122223333'] }\n    - { topicArn: ${topic}, accounts: ['444455556666'] }\n`,
    );
    expect(twice[0]).toMatchObject({
      path: 'intake.eventBridgeOverSns[1].topicArn',
      message: expect.stringMatching(/^duplicate topic/),
    });
  });

  it('reads remediation.maxPerResourcePerHour (default 3) and names it when out of range', () => {
    expect(loadConfig(minimal).remediation.maxPerResourcePerHour).toBe(3);
    expect(
      loadConfig(`${minimal}remediation: { maxPerResourcePerHour: 5 }\n`).remediation.maxPerResourcePerHour,
    ).toBe(5);
    for (const bad of ['0', '2.5', '"3"', '101']) {
      expect(problemsOf(`${minimal}remediation: { maxPerResourcePerHour: ${bad} }\n`)[0]?.path).toBe(
        'remediation.maxPerResourcePerHour',
      );
    }
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(`
receivers:
  pd: { type: pagerduty }
  chat: { type: slack, webhookUrl: { env: lower } }
route: { receiver: chat }
`);
    expect(problems.map((p) => p.path).sort()).toEqual([
      'receivers.chat.webhookUrl.env',
      'receivers.pd.routingKey',
    ]);
  });
});
