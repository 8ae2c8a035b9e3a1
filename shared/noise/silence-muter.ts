import type { Alert } from '../alert/alert';
import type { StateStore } from '../state/store';
import type { Silence } from './config';
import type { NoiseEffects } from './effects';
import type { Mute, Muter } from './mute';
import { SilenceRepository, silenceActive, silenceMatches } from './silences';

/** Mutes by silences: the static ones of klaxon.yml and the ad-hoc ones of the state table (briefly cached). */
export class SilenceMuter implements Muter {
  private cache?: { at: number; silences: Silence[] };

  constructor(
    private readonly staticSilences: readonly Silence[],
    private readonly effects: NoiseEffects,
    private readonly cacheMs: number,
  ) {}

  async mutes(
    _alert: Alert,
    labels: Record<string, string>,
    now: number,
    store: StateStore | undefined,
  ): Promise<Mute[]> {
    const mutes: Mute[] = [];
    for (const silence of [...this.staticSilences, ...(await this.tableSilences(now, store))]) {
      if (silenceActive(silence, now) && silenceMatches(silence, labels)) {
        mutes.push({
          kind: 'silence',
          key: `silence:${silence.id}`,
          by: silence.id,
          reason: `silenced by ${silence.id}: ${silence.reason}`,
          ...(silence.endsAt !== undefined ? { until: silence.endsAt } : {}),
        });
      }
    }
    return mutes;
  }

  /** Drops the cached table silences, so the next check reads the table. */
  forget(): void {
    this.cache = undefined;
  }

  private async tableSilences(now: number, store: StateStore | undefined): Promise<Silence[]> {
    if (!store) return [];
    if (this.cache && now - this.cache.at < this.cacheMs && now >= this.cache.at) {
      return this.cache.silences;
    }
    const silences = (await this.effects.guard('silences', () => new SilenceRepository(store).list())) ?? [];
    this.cache = { at: now, silences };
    return silences;
  }
}
