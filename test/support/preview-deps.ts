import type { KlaxonConfig } from '../../shared/config/load';
import { silentObserver } from '../../shared/observability/observer';
import type { PipelineDeps } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';

/** Pipeline dependencies for a dry run at a fixed time: receivers render previews and never touch the network. */
export function previewDeps(config: KlaxonConfig, now = new Date('2026-03-14T10:00:00Z')): PipelineDeps {
  return {
    config,
    receivers: createReceivers(config.receivers, {
      secrets: new LocalSecretResolver({}),
      post: async () => {
        throw new Error('a preview must not touch the network');
      },
      clock: systemClock,
      consoleSink: () => {},
    }),
    mode: 'preview',
    observer: silentObserver,
    now: () => now,
  };
}
