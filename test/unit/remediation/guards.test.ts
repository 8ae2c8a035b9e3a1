import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../shared/remediation/catalog';
import type { RemediationRule } from '../../../shared/remediation/config';
import { remediationToken } from '../../../shared/remediation/token';
import { StateStoreError } from '../../../shared/errors';
import type { StateStore } from '../../../shared/state/store';
import { MemoryStateStore } from '../../../shared/state/memory';
import { decisionOf, instanceAlert, OWN_ROLE, remediationConfig, setup, statusDecision } from './support';

const AUTO_RUN = `
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['systemctl restart nginx']
    mode: auto
    cooldown: 30m
`;

function config(extra = '', rules = AUTO_RUN) {
  return remediationConfig(`${extra}\n${rules}`);
}

describe('remediation guards (each fails without its guard)', () => {
  it('starts an auto rule with the validated parameters and the commands from config only', async () => {
    const t = setup(config());
    const { remediation, decision } = await t.live(decisionOf(instanceAlert(1, { commands: 'rm -rf /' })));
    expect(remediation).toMatchObject({ outcome: 'started', executionId: 'cmd-1', mode: 'auto' });
    expect(t.runCommand.sent).toEqual([
      {
        document: 'AWS-RunShellScript',
        instanceIds: ['i-0a1b2c3d4e5f67890'],
        parameters: { commands: ['systemctl restart nginx'] },
        comment: expect.stringMatching(/^klaxon restart-web /),
      },
    ]);
    expect(decision.alert.annotations.remediation).toContain('started AWS-RunShellScript');
  });

  it('acts only on firing alerts, never on a resolve', async () => {
    const t = setup(config());
    const { remediation } = await t.live(
      decisionOf(instanceAlert(1, { state: 'OK' }, { status: 'resolved' })),
    );
    expect(remediation).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/only firing/) });
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it('does not act on a suppressed alert', async () => {
    const t = setup(config());
    const { remediation } = await t.live(decisionOf(instanceAlert(1), [], 'muted by alarm mute rule'));
    expect(remediation?.outcome).toBe('skipped');
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it("never acts on events caused by Klaxon's own role", async () => {
    const t = setup(config());
    const principal =
      'arn:aws:sts::123456789012:assumed-role/klaxon-prod-us-east-1-lambdaRole/klaxon-prod-alarmNotifier';
    const { remediation } = await t.live(decisionOf(instanceAlert(1, { principal })));
    expect(remediation?.reason).toMatch(/Klaxon's own role/);
    const byIssuer = await t.live(decisionOf(instanceAlert(2, { sessionIssuer: OWN_ROLE })));
    expect(byIssuer.remediation?.outcome).toBe('skipped');
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it('also honours ownRoleArns globs from klaxon.yml', async () => {
    const t = setup(config(`security:\n  ownRoleArns: ['arn:aws:iam::123456789012:role/responder-*']`), {
      ownRoleArns: [],
    });
    const principal = 'arn:aws:sts::123456789012:assumed-role/responder-prod/session';
    const { remediation } = await t.live(decisionOf(instanceAlert(1, { principal })));
    expect(remediation?.outcome).toBe('skipped');
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it('takes parameters only from labels that pass the parameter pattern', async () => {
    const t = setup(config());
    for (const [n, bad] of [
      [1, 'i-0a1b2c3d4e5f67890; shutdown -h now'],
      [2, 'i-0a1b2c3d4e5f67890,i-0fffffffffffffff0'],
      [3, '*'],
      [4, 'i-XYZ'],
    ] as const) {
      const { remediation } = await t.live(decisionOf(instanceAlert(n, { InstanceId: bad })));
      expect(remediation).toMatchObject({
        outcome: 'skipped',
        reason: expect.stringMatching(
          /^parameter InstanceId \(from label InstanceId\): value .* does not match/,
        ),
      });
    }
    const missing = await t.live(decisionOf(instanceAlert(5, { InstanceId: '' })));
    expect(missing.remediation?.reason).toMatch(/no label "InstanceId"/);
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it('allows only catalog documents enabled by klaxon.yml (document allowlist)', async () => {
    const base = config();
    const rule = base.remediations[0] as RemediationRule;
    const spec = ACTIONS.get('AWS-RunShellScript');
    if (!spec) throw new Error('catalog');
    // A rule forged past the loader, naming a document the catalog does not have.
    const forged = { ...rule, action: { ...spec, name: 'Evil-RunAnything' } };
    const t1 = setup({ ...base, remediations: [forged] });
    const first = await t1.live(decisionOf(instanceAlert(1)));
    expect(first.remediation?.reason).toMatch(/not in the action catalog/);
    expect(t1.runCommand.sent).toHaveLength(0);
    // A catalog document klaxon.yml only enables as a dry run cannot be started.
    const dry = config('', AUTO_RUN.replace('mode: auto', 'mode: dry-run'));
    const t2 = setup(dry);
    (dry.remediations[0] as { mode: string }).mode = 'auto';
    const second = await t2.live(decisionOf(instanceAlert(1)));
    expect(second.remediation?.reason).toMatch(/not enabled by klaxon.yml/);
    expect(t2.runCommand.sent).toHaveLength(0);
  });

  it('keeps a cooldown per rule and resource', async () => {
    const t = setup(config());
    expect((await t.live(decisionOf(instanceAlert(1)))).remediation?.outcome).toBe('started');
    t.advance(10 * 60_000);
    const again = await t.live(decisionOf(instanceAlert(2)));
    expect(again.remediation).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/cooldown/),
    });
    const other = await t.live(decisionOf(instanceAlert(3, { InstanceId: 'i-0fffffffffffffff0' })));
    expect(other.remediation?.outcome).toBe('started');
    t.advance(21 * 60_000);
    expect((await t.live(decisionOf(instanceAlert(4)))).remediation?.outcome).toBe('started');
    expect(t.runCommand.sent).toHaveLength(3);
  });

  it('caps executions per hour across rules', async () => {
    const t = setup(config('remediation:\n  maxPerHour: 2\n  maxConcurrent: 10'));
    const ids = ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003'];
    const outcomes = [];
    for (const [n, id] of ids.entries()) {
      outcomes.push((await t.live(decisionOf(instanceAlert(n, { InstanceId: id })))).remediation);
    }
    expect(outcomes.map((o) => o?.outcome)).toEqual(['started', 'started', 'skipped']);
    expect(outcomes[2]?.reason).toMatch(/global cap/);
    t.advance(61 * 60_000);
    expect(
      (await t.live(decisionOf(instanceAlert(9, { InstanceId: 'i-00000000000000003' })))).remediation
        ?.outcome,
    ).toBe('started');
  });

  it('caps concurrent executions, and a final status frees the slot', async () => {
    const t = setup(config('remediation:\n  maxConcurrent: 1'));
    expect((await t.live(decisionOf(instanceAlert(1)))).remediation?.outcome).toBe('started');
    const blocked = await t.live(decisionOf(instanceAlert(2, { InstanceId: 'i-0fffffffffffffff0' })));
    expect(blocked.remediation?.reason).toMatch(/concurrency cap/);
    await t.live(statusDecision('cmd-1', 'Success', 'succeeded'));
    const freed = await t.live(decisionOf(instanceAlert(3, { InstanceId: 'i-0fffffffffffffff0' })));
    expect(freed.remediation?.outcome).toBe('started');
  });

  it('opens a circuit breaker after consecutive failures and tells a human', async () => {
    const t = setup(
      config('remediation:\n  notify: [ops]\n  circuitBreaker: { failures: 2, resetAfter: 1h }'),
    );
    await t.live(decisionOf(instanceAlert(1, { InstanceId: 'i-00000000000000001' })));
    await t.live(decisionOf(instanceAlert(2, { InstanceId: 'i-00000000000000002' })));
    const first = await t.live(statusDecision('cmd-1', 'Failed', 'failed'));
    expect(first.decision.receivers).toEqual(['chat']);
    const second = await t.live(statusDecision('cmd-2', 'Failed', 'failed'));
    expect(second.decision.receivers).toEqual(['chat', 'ops']);
    expect(second.decision.alert.severity).toBe('error');
    expect(second.decision.alert.annotations.description).toMatch(/circuit breaker open/);
    const stopped = await t.live(decisionOf(instanceAlert(3, { InstanceId: 'i-00000000000000003' })));
    expect(stopped.remediation?.reason).toMatch(/circuit breaker open/);
    expect(t.runCommand.sent).toHaveLength(2);
    t.advance(61 * 60_000);
    const reset = await t.live(decisionOf(instanceAlert(4, { InstanceId: 'i-00000000000000004' })));
    expect(reset.remediation?.outcome).toBe('started');
  });

  it('counts a start that fails towards the breaker', async () => {
    const t = setup(config('remediation:\n  circuitBreaker: { failures: 1 }'));
    t.runCommand.fail = 1;
    const failed = await t.live(decisionOf(instanceAlert(1)));
    expect(failed.remediation?.reason).toMatch(/start failed.*circuit breaker open/);
    const next = await t.live(decisionOf(instanceAlert(2, { InstanceId: 'i-0fffffffffffffff0' })));
    expect(next.remediation?.reason).toMatch(/circuit breaker open/);
  });

  it('starts one execution for a duplicated alert (state-table claim for Run Command)', async () => {
    const t = setup(config('', AUTO_RUN.replace('cooldown: 30m', 'cooldown: 0s')));
    const first = await t.live(decisionOf(instanceAlert(1)));
    const second = await t.live(decisionOf(instanceAlert(1)));
    expect(first.remediation?.outcome).toBe('started');
    expect(second.remediation).toMatchObject({
      outcome: 'skipped',
      executionId: 'cmd-1',
      reason: expect.stringMatching(/^duplicate/),
    });
    expect(t.runCommand.sent).toHaveLength(1);
  });

  it('derives a deterministic v5 ClientToken from the transition and the rule', () => {
    const a = remediationToken('arn:x|ALARM|1', 'rule-a');
    expect(a).toBe(remediationToken('arn:x|ALARM|1', 'rule-a'));
    expect(a).not.toBe(remediationToken('arn:x|ALARM|1', 'rule-b'));
    expect(a).not.toBe(remediationToken('arn:x|ALARM|2', 'rule-a'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('passes the ClientToken to Automation, so a retried start reuses the execution', async () => {
    const rules = `
remediations:
  - name: restart
    match: { alarmName: 'web-*' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: auto
    cooldown: 0s
`;
    const t = setup(config('', rules));
    const alert = instanceAlert(1);
    await t.live(decisionOf(alert));
    expect(t.automation.started).toEqual([
      {
        document: 'AWS-RestartEC2Instance',
        parameters: { InstanceId: ['i-0a1b2c3d4e5f67890'] },
        clientToken: remediationToken(alert.transitionId, 'restart'),
      },
    ]);
  });

  it('fails closed: no state table, or a failing one, starts nothing', async () => {
    const none = setup(config(), { store: undefined });
    expect((await none.live(decisionOf(instanceAlert(1)))).remediation?.reason).toMatch(/fail closed/);
    const broken = new Proxy(new MemoryStateStore(), {
      get: () => async () => {
        throw new StateStoreError('state table claim failed: ResourceNotFoundException');
      },
    }) as StateStore;
    const failing = setup(config(), { store: broken });
    expect((await failing.live(decisionOf(instanceAlert(1)))).remediation?.reason).toMatch(/fail closed/);
    expect(none.runCommand.sent.length + failing.runCommand.sent.length).toBe(0);
  });

  it('is a dry run by default and in replays, whatever the mode', async () => {
    const dry = setup(config('', AUTO_RUN.replace('    mode: auto\n', '')));
    const byDefault = await dry.live(decisionOf(instanceAlert(1)));
    expect(byDefault.remediation).toMatchObject({ mode: 'dry-run', outcome: 'dry-run' });
    const auto = setup(config());
    const replayed = await auto.remediator.consider(decisionOf(instanceAlert(1)), { mode: 'preview' });
    expect(replayed.remediation).toMatchObject({
      mode: 'auto',
      outcome: 'dry-run',
      reason: expect.stringMatching(/replay/),
    });
    expect(dry.runCommand.sent.length + auto.runCommand.sent.length).toBe(0);
  });

  it('never remediates on Klaxon’s own alerts', async () => {
    const t = setup(
      config('', AUTO_RUN.replace("{ alarmName: 'web-*-unhealthy' }", '{ account: "123456789012" }')),
    );
    const notice = instanceAlert(1, { source: 'klaxon', kind: 'notice' });
    const result = await t.live(decisionOf(notice));
    expect(result.remediation).toBeUndefined();
    expect(t.runCommand.sent).toHaveLength(0);
  });
});
