import { describe, expect, it } from 'vitest';
import { repoText, fixture } from '../../support/fixtures';
import { alarmEvent, harness } from './harness';

// The example klaxon.yml's rule, and its `effect: inhibit` variant.
const exampleRule = /\ninhibit:\n(?: {2}.*\n)+/.exec(repoText('klaxon.yml'))?.[0] ?? '';
const T0 = Date.UTC(2026, 2, 14, 9, 13, 0);
const M = 60_000;

describe('deployments in progress (the example inhibit rule)', () => {
  it('is the rule klaxon.yml ships: annotate alarms of the deployed service', () => {
    expect(exampleRule).toContain('source: { match: { kind: deployment } }');
    expect(exampleRule).toContain('effect: annotate');
  });

  it('annotate alarms of the service an ECS deployment is rolling out, until it completes', async () => {
    const h = harness(exampleRule, { start: T0 });
    await h.send(fixture('ecs/eventbridge-deployment-in-progress.json'));
    const during = await h.send(
      alarmEvent({
        name: 'payments-5xx-critical',
        state: 'ALARM',
        at: T0,
        tags: { service: 'payments-api' },
      }),
    );
    const decision = during.alerts[0]?.decision;
    expect(decision?.receivers).toContain('pager');
    expect(decision?.alert.annotations.context).toMatch(
      /^during: .*payments-api.*rule deployment-in-progress\)$/,
    );
    const unrelated = await h.send(
      alarmEvent({ name: 'search-5xx-critical', state: 'ALARM', at: T0, tags: { service: 'search' } }),
    );
    expect(unrelated.alerts[0]?.decision.alert.annotations.context).toBeUndefined();

    h.set(T0 + 10 * M);
    await h.send(fixture('ecs/eventbridge-deployment-completed.json'));
    const after = await h.send(
      alarmEvent({
        name: 'payments-latency-critical',
        state: 'ALARM',
        at: T0 + 10 * M,
        tags: { service: 'payments-api' },
      }),
    );
    expect(after.alerts[0]?.decision.alert.annotations.context).toBeUndefined();
  });

  it('with effect: inhibit, hold those alarms back during a CodeDeploy deployment of the application', async () => {
    const h = harness(exampleRule.replace('effect: annotate', 'effect: inhibit'), { start: T0 });
    await h.send(fixture('codedeploy/eventbridge-deployment-start.json'));
    const during = await h.send(
      alarmEvent({
        name: 'checkout-5xx-critical',
        state: 'ALARM',
        at: T0,
        tags: { service: 'checkout-api' },
      }),
    );
    expect(during.alerts[0]?.decision.suppressed).toMatch(/^inhibited by .*rule deployment-in-progress/);
    expect(h.sent('pager')).toEqual([]);
    await h.send(fixture('codedeploy/eventbridge-deployment-success.json'));
    await h.runDueJobs();
    // Still firing when the deployment ended: delivered then.
    expect(h.sent('pager')).toEqual(['firing:ALARM: checkout-5xx-critical']);
  });

  it('never page the deployment events themselves', async () => {
    const h = harness(exampleRule, { start: T0 });
    for (const file of [
      'ecs/eventbridge-deployment-in-progress.json',
      'codedeploy/eventbridge-deployment-start.json',
      'codedeploy/eventbridge-deployment-failure.json',
    ]) {
      const result = await h.send(fixture(file));
      expect(result.alerts[0]?.decision.alert.severity).toBe('info');
    }
    expect(h.sent('pager')).toEqual([]);
  });

  it('page a failed deployment when a route says so (the failure fires; it is not a resolve)', async () => {
    const route = `route:\n  receiver: chat\n  routes:\n    - { match: { kind: deployment, outcome: failed }, receiver: pager }\n`;
    const h = harness(`${route}${exampleRule}`, { start: T0 });
    await h.send(fixture('ecs/eventbridge-deployment-failed.json'));
    expect(h.receivers.pager.sent.map((a) => [a.status, a.labels.outcome])).toEqual([['firing', 'failed']]);
    // A point event is no inhibition source: an alarm of the service right after is plainly delivered.
    const alarm = await h.send(
      alarmEvent({
        name: 'payments-5xx-critical',
        state: 'ALARM',
        at: T0,
        tags: { service: 'payments-api' },
      }),
    );
    expect(alarm.alerts[0]?.decision.alert.annotations.context).toBeUndefined();
  });
});

describe('point events (scaling activities, cost anomalies, failed deployments)', () => {
  it('are never repeated, even on a route with repeatInterval', async () => {
    const h = harness(`route:\n  receiver: chat\n  repeatInterval: 1h\n`, { start: T0 });
    await h.send(fixture('autoscaling/eventbridge-instance-launch-successful.json'));
    await h.send(fixture('cost-anomaly/sns-anomaly-individual-alert.json'));
    expect(h.receivers.chat.sent).toHaveLength(2);
    expect(h.queue.drain().filter(({ job }) => job.kind === 'noise')).toEqual([]);
    // An alarm on the same route is repeated (the policy itself works).
    await h.send(alarmEvent({ name: 'api-5xx', state: 'ALARM', at: T0 }));
    expect(h.queue.drain().filter(({ job }) => job.kind === 'noise')).toHaveLength(1);
  });
});
