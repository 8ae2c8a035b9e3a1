import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isInformationalSource } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import { Dispatcher } from '../../../shared/delivery/dispatcher';
import { renderDigestText } from '../../../shared/digest/render';
import { readDigest } from '../../../shared/digest/run';
import { NoiseEngine } from '../../../shared/noise/engine';
import { silentObserver } from '../../../shared/observability/observer';
import { type AlertOutcome, type PipelineDeps, processEventText } from '../../../shared/pipeline';
import type { Receiver } from '../../../shared/receivers/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import { manualClock, ScriptedReceiver } from '../../support/delivery-fakes';
import { REPO_ROOT, repoText } from '../../support/fixtures';

const INFORMATIONAL_FIXTURES = ['health', 'codedeploy', 'ecs', 'autoscaling', 'cost-anomaly'];

describe('informational events with the example klaxon.yml', () => {
  it('reach the digest, newest first, and never a pager', async () => {
    const config = loadConfig(repoText('klaxon.yml'));
    const clock = manualClock();
    const start = clock.now();
    const receivers = new Map<string, ScriptedReceiver>(
      Object.entries(config.receivers).map(([name, receiver]) => [
        name,
        new ScriptedReceiver(name, receiver.type, false),
      ]),
    );
    const store = new MemoryStateStore();
    const now = () => new Date(clock.now());
    const deps: PipelineDeps = {
      config,
      receivers: receivers as ReadonlyMap<string, Receiver>,
      mode: 'deliver',
      observer: silentObserver,
      now,
      store,
      noise: new NoiseEngine({ config, store, observer: silentObserver, now }),
      dispatcher: new Dispatcher({
        config,
        receivers,
        store,
        clock,
        observer: silentObserver,
        remainingMs: () => 50_000,
        leaseMs: 45_000,
      }),
    };
    const outcomes: AlertOutcome[] = [];
    for (const dir of INFORMATIONAL_FIXTURES) {
      for (const file of readdirSync(`${REPO_ROOT}events/${dir}`)
        .filter((f) => f.endsWith('.json'))
        .sort()) {
        clock.advance(60_000);
        const result = await processEventText(repoText(`events/${dir}/${file}`), deps);
        outcomes.push(...result.alerts.filter((a) => isInformationalSource(a.decision.alert.labels.source)));
      }
    }
    expect(outcomes.length).toBeGreaterThanOrEqual(5);

    // No informational alert chose a pager, and no pager was sent anything.
    const pagers = Object.entries(config.receivers)
      .filter(([, receiver]) => receiver.type === 'pagerduty')
      .map(([name]) => name);
    expect(pagers.length).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      expect(outcome.decision.receivers.filter((name) => pagers.includes(name))).toEqual([]);
    }
    for (const pager of pagers) expect(receivers.get(pager)?.sent).toEqual([]);

    // The digest built from the state table lists every one of them in its informational section.
    const { digest, unreadable } = await readDigest(store, {
      from: new Date(start),
      to: now(),
      quickResolveMinutes: 10,
      top: 50,
      keep: config.noise.decisionRecords.keep,
    });
    expect(unreadable).toBe(0);
    const transitions = new Set(outcomes.map((o) => o.decision.alert.transitionId));
    expect(digest.informational.total).toBe(transitions.size);
    expect(digest.alerts.firing).toBe(0);
    expect(digest.noisiest).toEqual([]);
    const latest = digest.informational.latest;
    expect(latest.map((e) => e.at)).toEqual([...latest.map((e) => e.at)].sort().reverse());
    // Each transition once: the cost anomaly arrives by EventBridge and by SNS, and is listed once.
    const first = new Map<string, string>();
    for (const { decision } of outcomes)
      if (!first.has(decision.alert.transitionId))
        first.set(decision.alert.transitionId, decision.alert.annotations.summary);
    expect(latest.map((e) => e.summary).sort()).toEqual([...first.values()].sort());
    const kinds = new Set(digest.informational.counts.map((c) => c.kind));
    for (const kind of ['health', 'deployment', 'scaling', 'cost-anomaly']) expect(kinds).toContain(kind);
    expect(renderDigestText(digest)).toContain(`Informational events: ${transitions.size} (`);
  });
});
