import type { Alert } from '../alert/alert';
import type { StateStore } from '../state/store';
import type { CompiledInhibitRule } from './config';
import { digest } from './digest';
import type { NoiseEffects } from './effects';
import type { Mute, Muter } from './mute';

/** An alert firing as the source of an inhibit or annotate rule. */
interface FiringSource {
  alarmName?: string;
  /** The source alert's summary, quoted by `annotate` rules. */
  summary?: string;
  at: number;
  expiresAt: number;
}

/**
 * The firing sources of every inhibit and annotate rule, per rule and `equal` labels: in the state
 * table, or in this process when there is none (replays, previews).
 */
export class InhibitionSources {
  private readonly local = new Map<string, Map<string, FiringSource>>();

  constructor(
    private readonly rules: readonly CompiledInhibitRule[],
    private readonly effects: NoiseEffects,
  ) {}

  /** The set key of a rule for the labels: the rule's index and a digest of its `equal` labels. */
  setKey(index: number, rule: CompiledInhibitRule, labels: Record<string, string>): string {
    return `${index}#${digest(rule.equal.map((name) => labels[name] ?? ''))}`;
  }

  /** Keeps the set of firing sources: added while firing, removed on resolve. */
  async track(alert: Alert, labels: Record<string, string>, now: number, store: StateStore | undefined) {
    for (const [index, rule] of this.rules.entries()) {
      if (!rule.source.matches(labels)) continue;
      const setKey = this.setKey(index, rule, labels);
      const source: FiringSource = {
        ...(alert.labels.alarmName ? { alarmName: alert.labels.alarmName } : {}),
        summary: alert.annotations.summary.slice(0, 200),
        at: now,
        expiresAt: now + rule.maxAgeMs,
      };
      if (!store) {
        const local = this.local.get(setKey) ?? new Map<string, FiringSource>();
        if (alert.status === 'firing') local.set(alert.fingerprint, source);
        else local.delete(alert.fingerprint);
        this.local.set(setKey, local);
        continue;
      }
      if (alert.status === 'firing') {
        await this.effects.guard('inhibition source', () =>
          store.putSetMember(
            `inhibit#${setKey}`,
            alert.fingerprint,
            source,
            now,
            Math.ceil(rule.maxAgeMs / 1000) + 3600,
          ),
        );
        continue;
      }
      await this.effects.guard('inhibition source', () =>
        store.removeSetMember(`inhibit#${setKey}`, alert.fingerprint),
      );
      const left = await this.firing(setKey, now, store);
      // The last inhibitor resolved: targets it held back and still firing are delivered now.
      if (Object.keys(left).length === 0) {
        await this.effects.schedule(
          { kind: 'noise', action: 'unmute', key: `inhibit:${setKey}`, receiver: '', dueAt: now },
          now,
        );
      }
    }
  }

  /** The sources of one set still within their rule's maximum age. */
  async firing(
    setKey: string,
    now: number,
    store: StateStore | undefined,
  ): Promise<Record<string, FiringSource>> {
    const all = store
      ? ((await this.effects.guard('inhibition sources', () =>
          store.setMembers<FiringSource>(`inhibit#${setKey}`),
        )) ?? {})
      : Object.fromEntries(this.local.get(setKey) ?? []);
    return Object.fromEntries(Object.entries(all).filter(([, source]) => source.expiresAt > now));
  }
}

/** Mutes by `inhibit` rules: a target is muted while another alert is firing as its source. */
export class InhibitionMuter implements Muter {
  constructor(
    private readonly rules: readonly CompiledInhibitRule[],
    private readonly sources: InhibitionSources,
  ) {}

  async mutes(
    alert: Alert,
    labels: Record<string, string>,
    now: number,
    store: StateStore | undefined,
  ): Promise<Mute[]> {
    const mutes: Mute[] = [];
    for (const [index, rule] of this.rules.entries()) {
      if (rule.effect !== 'inhibit' || !rule.target.matches(labels)) continue;
      const setKey = this.sources.setKey(index, rule, labels);
      const sources = await this.sources.firing(setKey, now, store);
      const other = Object.entries(sources).find(([fingerprint]) => fingerprint !== alert.fingerprint);
      if (other) {
        mutes.push({
          kind: 'inhibition',
          key: `inhibit:${setKey}`,
          by: other[0],
          reason: `inhibited by ${other[1].alarmName ?? other[0]} (rule ${rule.name}${rule.equal.length ? `, equal ${rule.equal.join(', ')}` : ''})`,
        });
      }
    }
    return mutes;
  }
}

/**
 * Notes from `annotate` rules whose source is firing for this alert: e.g. "during: Deployment
 * d-123 of checkout in progress", so the on-call sees the likely cause in the message itself.
 */
export async function annotateNotes(
  rules: readonly CompiledInhibitRule[],
  sources: InhibitionSources,
  alert: Alert,
  labels: Record<string, string>,
  now: number,
  store: StateStore | undefined,
): Promise<string[]> {
  const notes: string[] = [];
  for (const [index, rule] of rules.entries()) {
    if (rule.effect !== 'annotate' || !rule.target.matches(labels)) continue;
    const firing = await sources.firing(sources.setKey(index, rule, labels), now, store);
    for (const [fingerprint, source] of Object.entries(firing)) {
      if (fingerprint === alert.fingerprint) continue;
      const since = new Date(source.at).toISOString().slice(11, 16);
      notes.push(
        `during: ${source.summary ?? source.alarmName ?? fingerprint} (since ${since} UTC, rule ${rule.name})`,
      );
    }
  }
  return notes.slice(0, 5);
}
