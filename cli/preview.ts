import { readFile, stat } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KlaxonConfig } from '../shared/config/load';
import { ConfigError } from '../shared/errors';
import { NoiseEngine } from '../shared/noise/engine';
import type { DecisionRecord } from '../shared/noise/record';
import { silentObserver } from '../shared/observability/observer';
import { type ProcessResult, processEventText } from '../shared/pipeline';
import { createReceivers, systemClock } from '../shared/receivers/factory';
import { LocalSecretResolver } from '../shared/secrets/secrets';
import { loadCheckedConfig } from './config';
import { UnreadablePathError } from './replay';

/** Reads and validates a klaxon.yml; a missing file is a configuration error (exit 4). */
export async function readConfigFile(path: string): Promise<KlaxonConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file (${error.code ?? 'error'})` }], {
      cause: error,
    });
  });
  return loadCheckedConfig(text, path);
}

/** The `*.json` files under the given paths, in lexical order (as replay reads them). */
export async function eventFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new UnreadablePathError(`cannot read ${path}: ${error.code ?? 'error'}`, { cause: error });
    });
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    files.push(
      ...entries
        .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
        .map((entry) => join(entry.parentPath, entry.name))
        .sort(),
    );
  }
  return files;
}

/** One previewed file: the pipeline's result and the decision records it produced. */
export interface PreviewedFile {
  file: string;
  result: ProcessResult;
  records: DecisionRecord[];
}

/**
 * Runs files through the pipeline in preview mode (nothing is sent) with noise control evaluated
 * at `at`: static silences, maintenance windows, and inhibition by alerts earlier in the same run.
 */
export async function previewFiles(
  files: readonly string[],
  config: KlaxonConfig,
  at: Date,
  progress?: (done: number, total: number) => void,
): Promise<PreviewedFile[]> {
  const receivers = createReceivers(config.receivers, {
    secrets: new LocalSecretResolver({}),
    post: async () => {
      throw new Error('preview never sends');
    },
    clock: systemClock,
    consoleSink: () => {},
  });
  const noise = new NoiseEngine({ config, observer: silentObserver, now: () => at });
  const previewed: PreviewedFile[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UnreadablePathError(`cannot read ${file}: ${error.code ?? 'error'}`, { cause: error });
    });
    const seen = noise.records.length;
    const result = await processEventText(text, {
      config,
      receivers,
      mode: 'preview',
      observer: silentObserver,
      now: () => at,
      noise,
    });
    previewed.push({ file, result, records: noise.records.slice(seen) });
    progress?.(previewed.length, files.length);
  }
  return previewed;
}

/** Parses `--at` (an ISO 8601 instant); undefined when absent. */
export function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--at "${value}": expected an ISO 8601 time such as 2026-03-15T02:30:00Z`);
  return at;
}

/** A command-line mistake (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
