import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { KlaxonConfig } from '../shared/config/load';
import { createCloudWatchClient, createSnsPublish } from '../shared/aws/clients';
import { cloudWatchPort } from '../shared/aws/cloudwatch';
import { Dispatcher } from '../shared/delivery/dispatcher';
import { AwsContextEnricher } from '../shared/enrichment/enricher';
import { silentObserver } from '../shared/observability/observer';
import { type PipelineDeps, type ProcessResult, processEventText } from '../shared/pipeline';
import { createReceivers, systemClock } from '../shared/receivers/factory';
import { postJson } from '../shared/receivers/http';
import { Remediator } from '../shared/remediation/remediator';
import { LiveDeliveryError, LiveReplayRuntime, liveSummaryLine } from '../shared/replay/live';
import { toReplayLine } from '../shared/replay/report';
import { NoiseEngine } from '../shared/noise/engine';
import { LocalSecretResolver } from '../shared/secrets/secrets';
import { MemoryStateStore } from '../shared/state/memory';
import { renderHtmlReport } from './html-report';
import { ensureWritableDir } from './out-dir';
import { renderTable } from './table';

/** Options of `klaxon replay`. */
export interface ReplayOptions {
  paths: string[];
  config: KlaxonConfig;
  live: boolean;
  /** Enrich from AWS (`--enrich`); also on when AWS_ENDPOINT_URL points at an emulator. */
  enrich?: boolean;
  json: boolean;
  outDir: string;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** The clock for silences and maintenance windows (default now). */
  at?: Date;
  /** Where to write the self-contained HTML report (`--html`), if anywhere. */
  html?: string;
  /** Called after each file (a progress bar on a terminal's standard error). */
  progress?: (done: number, total: number) => void;
}

/** A path the replay could not read (exit code 3). */
export class UnreadablePathError extends Error {
  override readonly name = 'UnreadablePathError';
}

async function collectFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UnreadablePathError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: error,
      },
    );
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function displayPath(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel.split(sep).join('/') : absolute;
}

function payloadName(file: string): string {
  return file.replace(/\.json$/, '').replace(/[^A-Za-z0-9._/-]+/g, '_');
}

async function writePayloads(outDir: string, file: string, result: ProcessResult): Promise<number> {
  const base = join(outDir, payloadName(file));
  const writes: Array<Promise<void>> = [];
  const write = (name: string, payload: unknown) => {
    const target = join(base, name);
    writes.push(
      mkdir(dirname(target), { recursive: true }).then(() =>
        writeFile(target, `${JSON.stringify(payload, null, 2)}\n`),
      ),
    );
  };
  result.alerts.forEach((outcome, index) => {
    for (const [receiver, payload] of Object.entries(outcome.payloads))
      write(`alert-${index}-${receiver}.json`, payload);
  });
  result.notices.forEach((notice, index) => {
    for (const [receiver, payload] of Object.entries(notice.payloads))
      write(`notice-${index}-${receiver}.json`, payload);
  });
  await Promise.all(writes);
  return writes.length;
}

/** Replays fixture files through the real pipeline: previews payloads, or delivers them with `--live`. */
export async function replay(options: ReplayOptions): Promise<ProcessResult[]> {
  const files = (await Promise.all(options.paths.map(collectFiles))).flat();
  if (!options.live) await ensureWritableDir(options.outDir);
  const log = options.json ? options.stderr : options.stdout;
  // --live: one in-memory state table for the run, shared by the dispatcher and the receivers, so a
  // Slack app edits and threads on the message it posted for an earlier file of the same run.
  const liveStore = options.live ? new MemoryStateStore() : undefined;
  const receivers = createReceivers(options.config.receivers, {
    secrets: new LocalSecretResolver(options.env),
    post: postJson,
    clock: systemClock,
    // SNS-backed receivers (sns, email) publish for real only in a live run.
    publish: options.live ? createSnsPublish() : undefined,
    store: liveStore,
    consoleSink: (alert, receiver) =>
      log(
        `  console receiver ${receiver}: [${alert.severity}] ${alert.status} ${alert.annotations.summary}\n`,
      ),
  });
  // --live: the deployed delivery semantics (claims, groups, pacing, retries) in process.
  const live = liveStore
    ? new LiveReplayRuntime(options.config, receivers, systemClock, liveStore)
    : undefined;
  const deps: PipelineDeps = {
    config: options.config,
    receivers,
    mode: options.live ? 'deliver' : 'preview',
    observer: silentObserver,
    now: () => options.at ?? new Date(),
    // Static silences, maintenance windows and inhibition by alerts earlier in this run.
    noise: new NoiseEngine({
      config: options.config,
      observer: silentObserver,
      now: () => options.at ?? new Date(),
    }),
    enricher:
      options.config.enrichment.enabled && (options.enrich || !!options.env.AWS_ENDPOINT_URL)
        ? new AwsContextEnricher(cloudWatchPort(createCloudWatchClient()), options.config.enrichment)
        : undefined,
    dispatcher:
      live?.dispatcher ??
      new Dispatcher({
        config: options.config,
        receivers,
        clock: systemClock,
        observer: silentObserver,
        remainingMs: () => 60_000,
        leaseMs: 45_000,
      }),
    // No state table and no SSM client: a replay only shows what each remediation rule would do.
    remediator:
      options.config.remediations.length > 0
        ? new Remediator({ config: options.config, observer: silentObserver, now: () => new Date() })
        : undefined,
  };
  const results: ProcessResult[] = [];
  const rows: Array<{ file: string; result: ProcessResult }> = [];
  let payloadCount = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UnreadablePathError(`cannot read ${file}: ${error.code ?? 'error'}`, { cause: error });
    });
    const result = await processEventText(text, deps);
    const shown = displayPath(file, options.cwd);
    results.push(result);
    live?.record(result);
    options.progress?.(results.length, files.length);
    if (!options.live) payloadCount += await writePayloads(options.outDir, shown, result);
    if (options.json) options.stdout(`${JSON.stringify(toReplayLine(shown, result))}\n`);
    rows.push({ file: shown, result });
  }
  if (options.html) {
    await ensureWritableDir(dirname(options.html));
    await writeFile(options.html, renderHtmlReport(rows, options.config.receivers));
  }
  await live?.drain();
  if (!options.json) {
    options.stdout(renderTable(rows));
    const outcome = (name: ProcessResult['outcome']) => results.filter((r) => r.outcome === name).length;
    options.stdout(
      `\n${files.length} files: ${outcome('alerts')} with alerts, ${outcome('ignored')} ignored, ${outcome('invalid')} invalid.\n`,
    );
    if (!live) {
      options.stdout(
        `Dry run: nothing was sent. ${payloadCount} exact payloads written to ${displayPath(options.outDir, options.cwd)}/\n`,
      );
    }
    if (options.html) {
      options.stdout(`Report: ${displayPath(options.html, options.cwd)} (open it in a browser)\n`);
    }
  }
  if (live) {
    const summary = live.summary();
    log(liveSummaryLine(summary));
    if (summary.failed > 0) {
      throw new LiveDeliveryError(`${summary.failed} deliveries failed (--live)`, results);
    }
  }
  return results;
}
