import type { Alert } from '../alert/alert';
import type { CompiledWindow } from './config';
import type { Mute, Muter } from './mute';
import { openOccurrence } from './windows';

/** Mutes by maintenance windows: the open occurrence of every window whose matcher holds. */
export class WindowMuter implements Muter {
  constructor(private readonly windows: readonly CompiledWindow[]) {}

  async mutes(_alert: Alert, labels: Record<string, string>, now: number): Promise<Mute[]> {
    const mutes: Mute[] = [];
    for (const window of this.windows) {
      if (!window.matcher.matches(labels)) continue;
      const open = openOccurrence(window, now);
      if (open) {
        mutes.push({
          kind: 'window',
          key: `window:${window.name}#${open.end}`,
          by: window.name,
          reason: `maintenance window ${window.name} (${window.timeZone}) until ${new Date(open.end).toISOString()}`,
          until: open.end,
          ...(window.summary ? { summaryReceiver: window.summary } : {}),
        });
      }
    }
    return mutes;
  }
}
