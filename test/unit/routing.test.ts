import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { classify, decide } from '../../shared/routing/decide';
import { compileMatcher, globToRegExp } from '../../shared/routing/matcher';
import { matchRoutes } from '../../shared/routing/routes';
import type { AlertDraft } from '../../shared/sources/types';

describe('matchers', () => {
  it('matches exact strings only exactly', () => {
    const m = compileMatcher({ alarmName: 'api-prod-5xx' });
    expect(m.matches({ alarmName: 'api-prod-5xx' })).toBe(true);
    expect(m.matches({ alarmName: 'api-prod-5xx-2' })).toBe(false);
    expect(m.matches({})).toBe(false);
  });

  it('matches globs anchored, with regex characters taken literally', () => {
    const m = compileMatcher({ alarmName: 'api-*-5xx' });
    expect(m.matches({ alarmName: 'api-prod-5xx' })).toBe(true);
    expect(m.matches({ alarmName: 'xapi-prod-5xx' })).toBe(false);
    expect(globToRegExp('a.b?').test('a.bc')).toBe(true);
    expect(globToRegExp('a.b?').test('axbc')).toBe(false);
    expect(globToRegExp('(x)*').test('(x)anything')).toBe(true);
  });

  it('matches regular expressions as written (unanchored unless anchored)', () => {
    const m = compileMatcher({ alarmName: { regex: '^orders-.*-(error-rate|latency)$' } });
    expect(m.matches({ alarmName: 'orders-lambda-error-rate' })).toBe(true);
    expect(m.matches({ alarmName: 'orders-lambda-throttles' })).toBe(false);
  });

  it('matches a list when any entry matches, and requires every label', () => {
    const m = compileMatcher({ severity: ['error', 'warn*'], region: 'us-east-1' });
    expect(m.matches({ severity: 'warning', region: 'us-east-1' })).toBe(true);
    expect(m.matches({ severity: 'error', region: 'us-east-1' })).toBe(true);
    expect(m.matches({ severity: 'info', region: 'us-east-1' })).toBe(false);
    expect(m.matches({ severity: 'error', region: 'eu-west-1' })).toBe(false);
    expect(m.description).toBe('severity in [="error", ~"warn*"], region="us-east-1"');
  });

  it('an empty match matches everything', () => {
    expect(compileMatcher(undefined).matches({ anything: 'x' })).toBe(true);
  });
});

const treeConfig = loadConfig(`
receivers:
  chat: { type: console }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
  team: { type: console }
route:
  receiver: chat
  routes:
    - name: pages
      match: { severity: critical }
      receiver: pager
      continue: true
    - name: payments
      match: { team: payments }
      receiver: team
      routes:
        - name: payments-critical
          match: { severity: critical }
        - name: payments-noise
          match: { severity: info }
          receiver: chat
    - name: errors
      match: { severity: error }
`);

describe('route tree', () => {
  const names = (labels: Record<string, string>) => matchRoutes(treeConfig.route, labels).map((r) => r.name);

  it('continues past a route that says continue and stops at the first other match', () => {
    expect(names({ severity: 'critical', team: 'payments' })).toEqual(['pages', 'payments-critical']);
  });

  it('falls back to the parent when no child matches', () => {
    expect(names({ severity: 'warning', team: 'payments' })).toEqual(['payments']);
    expect(names({ severity: 'warning' })).toEqual(['root']);
  });

  it('inherits the receiver from the parent', () => {
    const matched = matchRoutes(treeConfig.route, { severity: 'critical', team: 'payments' });
    expect(matched.map((r) => r.receiver)).toEqual(['pager', 'team']);
    expect(matchRoutes(treeConfig.route, { severity: 'info', team: 'payments' })[0]?.receiver).toBe('chat');
  });

  it('a route with continue still delivers alone when nothing else matches', () => {
    expect(names({ severity: 'critical' })).toEqual(['pages']);
  });
});

function draft(
  overrides: Omit<Partial<AlertDraft>, 'labels'> & { labels?: Record<string, string> } = {},
): AlertDraft {
  const { labels, ...rest } = overrides;
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'eu-west-1',
      alarmName: 'orders-queue-depth',
      alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-queue-depth',
      state: 'ALARM',
      previousState: 'OK',
      ...labels,
    },
    annotations: {
      summary: 'ALARM: orders-queue-depth',
      description: 'See https://wiki.example.com/orders.',
    },
    status: 'firing',
    fingerprint: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-queue-depth',
    transitionId: 'x|ALARM|1',
    startsAt: '2026-03-14T09:41:07.000Z',
    observedAt: '2026-03-14T09:41:07.200Z',
    path: 'sns',
    links: [],
    partition: 'aws',
    raw: {},
    ...rest,
  };
}

const policyConfig = loadConfig(`
defaults: { severity: warning }
severity:
  - match: { alarmName: "orders-*" }
    severity: error
runbooks:
  - match: { alarmName: "payments-*" }
    url: https://runbooks.example.com/payments
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK_URL } }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
route:
  receiver: chat
  routes:
    - match: { severity: [critical, error] }
      receiver: pager
      continue: true
`);

function run(d: AlertDraft, config = policyConfig) {
  return decide(d, classify(d, config), config);
}

describe('classify and decide', () => {
  it('takes severity from the first matching rule and routes by it', () => {
    const decision = run(draft());
    expect(decision.alert.severity).toBe('error');
    expect(decision.severitySource).toBe('rule');
    // As in Alertmanager, the parent (root) is not used once a child matched, even with continue.
    expect(decision.receivers).toEqual(['pager']);
  });

  it('lets a severity tag carried by the event win over rules', () => {
    const decision = run(draft({ severityHint: { word: 'P1', from: 'alarm tag "severity"' } }));
    expect(decision.alert.severity).toBe('critical');
    expect(decision.severitySource).toBe('event');
  });

  it('falls back to the default for an unknown tag word and says so in an annotation', () => {
    const decision = run(draft({ severityHint: { word: 'whenever', from: 'alarm tag "severity"' } }));
    expect(decision.alert.severity).toBe('warning');
    expect(decision.alert.annotations.severityNote).toContain('unknown severity "whenever"');
  });

  it('uses the default severity when nothing classifies the alert', () => {
    const decision = run(draft({ labels: { alarmName: 'billing-x' } }));
    expect(decision.alert.severity).toBe('warning');
    expect(decision.severitySource).toBe('default');
    expect(decision.receivers).toEqual(['chat']);
  });

  it('sends INSUFFICIENT_DATA to chat only, at the no-data severity, never to the pager', () => {
    const decision = run(draft({ noData: true, labels: { state: 'INSUFFICIENT_DATA' } }));
    expect(decision.alert.severity).toBe('warning');
    expect(decision.severitySource).toBe('no-data policy');
    expect(decision.receivers).toEqual(['chat']);
  });

  it('never lets a no-data notice reach a pager even when its severity routes there', () => {
    const config = loadConfig(`
defaults: { insufficientData: { severity: critical } }
receivers:
  chat: { type: console }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
route:
  receiver: chat
  routes:
    - match: { severity: critical }
      receiver: pager
`);
    const decision = run(draft({ noData: true }), config);
    expect(decision.receivers).toEqual([]);
    expect(decision.skipped).toEqual([
      { receiver: 'pager', reason: 'no-data notices go to chat only and never touch an open incident' },
    ]);
  });

  it('suppresses INSUFFICIENT_DATA entirely when the policy says not to notify', () => {
    const config = loadConfig(`
defaults: { insufficientData: { notify: false } }
receivers: { chat: { type: console } }
route: { receiver: chat }
`);
    expect(run(draft({ noData: true }), config).suppressed).toMatch(/^no-data policy/);
  });

  it('resolves to the same receivers as the firing alert', () => {
    const decision = run(draft({ status: 'resolved', labels: { state: 'OK', previousState: 'ALARM' } }));
    expect(decision.alert.status).toBe('resolved');
    expect(decision.receivers).toEqual(['pager']);
  });

  it('sends nothing to chat for an OK that ends an unnotified INSUFFICIENT_DATA, but still resolves the pager', () => {
    const config = loadConfig(`
defaults: { insufficientData: { notify: false } }
severity: [{ match: { alarmName: "orders-*" }, severity: critical }]
receivers:
  chat: { type: console }
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
route:
  receiver: chat
  routes:
    - { match: { severity: critical }, receiver: pager, continue: true }
    - { match: { severity: critical }, receiver: chat }
`);
    const decision = run(
      draft({ status: 'resolved', labels: { state: 'OK', previousState: 'INSUFFICIENT_DATA' } }),
      config,
    );
    expect(decision.receivers).toEqual(['pager']);
    expect(decision.skipped.map((s) => s.receiver)).toEqual(['chat']);
  });

  it('records but does not deliver what the source itself suppressed', () => {
    const decision = run(draft({ suppressedBySource: 'muted by alarm mute rule deploy-window' }));
    expect(decision.suppressed).toBe('muted by alarm mute rule deploy-window');
    expect(decision.receivers).toEqual([]);
    expect(decision.routes).toEqual(['route.routes[0]']);
  });

  it('adds the runbook from the catalog first, then the tag, then the description', () => {
    expect(
      run(draft({ labels: { alarmName: 'payments-x' }, runbookHint: 'https://tag.example.com' })).alert
        .annotations.runbookUrl,
    ).toBe('https://runbooks.example.com/payments');
    expect(run(draft({ runbookHint: 'https://tag.example.com/rb' })).alert.annotations.runbookUrl).toBe(
      'https://tag.example.com/rb',
    );
    expect(run(draft()).alert.annotations.runbookUrl).toBe('https://wiki.example.com/orders');
  });

  it('labels the topic with the name configured in intake.alarmTopics, so routes can match it', () => {
    const config = loadConfig(`
intake:
  alarmTopics:
    - { arn: "arn:aws:sns:us-west-2:111122223333:team-alarms", name: data-team }
receivers:
  chat: { type: console }
  data: { type: console }
route:
  receiver: chat
  routes:
    - { match: { topic: data-team }, receiver: data }
`);
    const viaTopic = run(
      draft({ topicArn: 'arn:aws:sns:us-west-2:111122223333:team-alarms', labels: { topic: 'team-alarms' } }),
      config,
    );
    expect(viaTopic.alert.labels.topic).toBe('data-team');
    expect(viaTopic.receivers).toEqual(['data']);
    const otherTopic = run(
      draft({ topicArn: 'arn:aws:sns:us-west-2:111122223333:x', labels: { topic: 'x' } }),
      config,
    );
    expect(otherTopic.alert.labels.topic).toBe('x');
    expect(otherTopic.receivers).toEqual(['chat']);
  });

  it('adds a console link in the alarm region', () => {
    expect(run(draft()).alert.annotations.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/orders-queue-depth',
    );
  });
});
