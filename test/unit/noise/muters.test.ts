import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import { arrivalRecord } from '../../../shared/noise/decision-records';
import { noiseEffects } from '../../../shared/noise/effects';
import { InhibitionMuter, InhibitionSources } from '../../../shared/noise/inhibition';
import { matchLabels } from '../../../shared/noise/mute';
import { applySendResolved } from '../../../shared/noise/resolve-policy';
import { SilenceMuter } from '../../../shared/noise/silence-muter';
import { WindowMuter } from '../../../shared/noise/window-muter';
import { silentObserver } from '../../../shared/observability/observer';
import type { Decision } from '../../../shared/routing/decide';
import type { AlertDraft } from '../../../shared/sources/types';
import { BASE_CONFIG } from './harness';

const NOW = Date.parse('2026-03-14T02:00:00Z');

const config = loadConfig(`${BASE_CONFIG}
silences:
  - id: db-upgrade
    match: { service: db }
    reason: schema upgrade
maintenanceWindows:
  - name: nightly
    timeZone: UTC
    schedule: [{ days: [sat], start: '01:00', end: '03:00' }]
    match: { service: db }
inhibit:
  - name: region-down
    source: { match: { alarmName: region-down } }
    target: { match: { service: db } }
    equal: [region]
`);

function alert(name: string, labels: Record<string, string>, status: Alert['status'] = 'firing'): Alert {
  return {
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: name,
      ...labels,
    },
    annotations: { summary: `ALARM: ${name}` },
    severity: 'critical',
    status,
    fingerprint: `fp-${name}`,
    transitionId: `t-${name}-${status}`,
    startsAt: new Date(NOW).toISOString(),
    observedAt: new Date(NOW).toISOString(),
    path: 'eventbridge',
    links: [],
    raw: {},
  };
}

describe('muters: silences, maintenance windows and inhibition, each on its own', () => {
  const effects = noiseEffects(undefined, silentObserver);
  const db = alert('db-latency', { service: 'db' });
  const web = alert('web-latency', { service: 'web' });

  it('a silence mutes what it matches and says which silence and why', async () => {
    const muter = new SilenceMuter(config.noise.silences, effects, 0);
    expect(await muter.mutes(db, matchLabels(db), NOW, undefined)).toEqual([
      {
        kind: 'silence',
        key: 'silence:db-upgrade',
        by: 'db-upgrade',
        reason: 'silenced by db-upgrade: schema upgrade',
      },
    ]);
    expect(await muter.mutes(web, matchLabels(web), NOW, undefined)).toEqual([]);
  });

  it('an open maintenance window mutes what it matches and says until when', async () => {
    const muter = new WindowMuter(config.noise.windows);
    const end = Date.parse('2026-03-14T03:00:00Z');
    expect(await muter.mutes(db, matchLabels(db), NOW)).toEqual([
      {
        kind: 'window',
        key: `window:nightly#${end}`,
        by: 'nightly',
        reason: 'maintenance window nightly (UTC) until 2026-03-14T03:00:00.000Z',
        until: end,
      },
    ]);
    expect(await muter.mutes(db, matchLabels(db), NOW + 2 * 3_600_000)).toEqual([]);
  });

  it('inhibition mutes a target while its source fires, and names the source and rule', async () => {
    const sources = new InhibitionSources(config.noise.inhibit, effects);
    const muter = new InhibitionMuter(config.noise.inhibit, sources);
    expect(await muter.mutes(db, matchLabels(db), NOW, undefined)).toEqual([]);
    const source = alert('region-down', {});
    await sources.track(source, matchLabels(source), NOW, undefined);
    const [mute] = await muter.mutes(db, matchLabels(db), NOW, undefined);
    expect(mute).toMatchObject({
      kind: 'inhibition',
      by: 'fp-region-down',
      reason: 'inhibited by region-down (rule region-down, equal region)',
    });
    const resolved = alert('region-down', {}, 'resolved');
    await sources.track(resolved, matchLabels(resolved), NOW, undefined);
    expect(await muter.mutes(db, matchLabels(db), NOW, undefined)).toEqual([]);
  });
});

describe('the resolve policy stage', () => {
  it('returns a new verdict and leaves the decision it was given as it was', () => {
    const routed = loadConfig(`${BASE_CONFIG.replace(/route:[\s\S]*$/, '')}
route:
  receiver: chat
  routes:
    - name: page
      match: { severity: critical }
      receiver: pager
      sendResolved: false
`);
    const resolved = alert('db-latency', { service: 'db' }, 'resolved');
    const decision: Decision = {
      alert: resolved,
      severitySource: 'rule',
      routes: ['page'],
      receivers: ['pager'],
      skipped: [],
      groups: {},
    };
    const draft = { ...resolved, raw: {} } as unknown as AlertDraft;
    const record = arrivalRecord(routed.route, decision, draft, 'preview', NOW);
    const [decisionBefore, recordBefore] = structuredClone([decision, record]);
    const next = applySendResolved({ decision, record }, routed.noise.routePolicies);
    expect(next.decision).toMatchObject({
      receivers: [],
      suppressed: 'resolve not sent: sendResolved is false on every matched route',
      skipped: [{ receiver: 'pager', reason: 'its route has sendResolved: false' }],
    });
    expect(next.record.suppressed?.kind).toBe('resolve-policy');
    expect(decision).toEqual(decisionBefore);
    expect(record).toEqual(recordBefore);
  });
});
