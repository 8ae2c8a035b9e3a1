/**
 * `npm run bench -- --storm N --live`: N distinct alarms (1% critical, seeded) through the deployed
 * alarm notifier and retry worker (bench/children/storm-live.ts, its own process) in real time,
 * into loopback Slack (1 message/second per webhook, 429 + Retry-After past it), PagerDuty Events v2
 * (120 events/minute per routing key, 429 past it) and a generic webhook server. With
 * `prometheus-alertmanager` installed, the same alarms go through it to the same webhook server,
 * and both are printed side by side.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type FakePagerDuty, startFakePagerDuty } from '../test/support/fake-pagerduty';
import { type FakeSlack, startFakeSlack } from '../test/support/fake-slack';
import { type FakeWebhook, startFakeWebhook } from '../test/support/fake-webhook';
import type { StormChildResult } from './children/storm-live';
import {
  klaxonWebhookMessage,
  messageBudget,
  namesIn,
  processCpuMs,
  slackMessage,
  type ReceiverFigures,
  receiverFigures,
  type StormAlarm,
  stormAlarms,
} from './lib/storm-figures';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where Debian's package installs Alertmanager. */
export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';
const PD_ROUTING_KEY = 'storm-routing-key-0000000000000001';

/** Options of one live storm. */
export interface LiveStormOptions {
  count: number;
  store: 'memory' | 'moto';
  seed?: number;
  windowSeconds?: number;
  /** Path of the Alertmanager binary (default: Debian's); absent: skipped with a line saying so. */
  alertmanager?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function buildChild(outdir: string): Promise<string> {
  const outfile = join(outdir, 'storm-live.cjs');
  // The handlers import klaxon.yml; the deploy's plugin bundles it as data, as for Lambda.
  const plugins = createRequire(import.meta.url)('../deploy/esbuild-plugins.cjs') as Plugin[];
  await build({
    entryPoints: [join(ROOT, 'bench/children/storm-live.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
    absWorkingDir: ROOT,
    plugins: plugins.filter((plugin) => plugin.name === 'klaxon-config-as-data'),
  });
  return outfile;
}

async function runChild(
  script: string,
  resultFile: string,
  env: NodeJS.ProcessEnv,
): Promise<StormChildResult> {
  const child = spawn(process.execPath, [script, resultFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the storm child failed (exit ${code}):\n${stderr}`);
  return JSON.parse(await readFile(resultFile, 'utf8')) as StormChildResult;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function row(name: string, f: ReceiverFigures, rejected: number | string): string {
  return [
    name.padEnd(13),
    `${f.covered}/${f.expected}`.padStart(11),
    String(f.lost).padStart(5),
    String(f.duplicated).padStart(11),
    String(f.messages).padStart(9),
    String(f.peakPerSecond).padStart(7),
    String(rejected).padStart(5),
    seconds(f.firstMs).padStart(8),
    seconds(f.lastMs).padStart(8),
  ].join(' ');
}

const HEADER = `${'receiver'.padEnd(13)} ${'covered'.padStart(11)} ${'lost'.padStart(5)} ${'duplicated'.padStart(11)} ${'messages'.padStart(9)} ${'peak/s'.padStart(7)} ${'429s'.padStart(5)} ${'first'.padStart(8)} ${'last'.padStart(8)}`;

interface AlertmanagerRun {
  figures: ReceiverFigures;
  cpuMs: number;
  version: string;
}

/** Runs Alertmanager on loopback with one webhook receiver, posts the alarms, waits for its messages. */
async function runAlertmanager(
  binary: string,
  alarms: readonly StormAlarm[],
  webhook: FakeWebhook,
  options: { windowSeconds: number; dir: string },
): Promise<AlertmanagerRun> {
  const port = await freePort();
  const configFile = join(options.dir, 'alertmanager.yml');
  await writeFile(
    configFile,
    [
      'route:',
      '  receiver: hook',
      "  group_by: ['...']",
      '  group_wait: 0s',
      `  group_interval: ${options.windowSeconds}s`,
      '  repeat_interval: 4h',
      'receivers:',
      '  - name: hook',
      '    webhook_configs:',
      `      - url: ${webhook.url('/alertmanager')}`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
  const version = /version (\S+)/.exec(
    await new Promise<string>((resolve) => {
      const probe = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      probe.stdout.on('data', (c: Buffer) => (text += c.toString()));
      probe.stderr.on('data', (c: Buffer) => (text += c.toString()));
      probe.on('close', () => resolve(text));
    }),
  )?.[1];
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(options.dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      const ready = await fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (tries > 100 || child.exitCode !== null)
        throw new Error(`Alertmanager did not become ready: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stat = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const cpuBefore = processCpuMs(stat());
    const start = Date.now();
    // Prometheus posts alerts in batches (its notifier's batch size is 256).
    const startsAt = new Date().toISOString();
    for (let i = 0; i < alarms.length; i += 256) {
      const batch = alarms.slice(i, i + 256).map((alarm) => ({
        labels: {
          alertname: alarm.name,
          severity: alarm.critical ? 'critical' : 'warning',
          region: alarm.region,
        },
        annotations: { summary: `ALARM: ${alarm.name}`, description: `Storm alarm on ${alarm.metric}.` },
        startsAt,
      }));
      const response = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (!response.ok) throw new Error(`Alertmanager refused a batch: HTTP ${response.status}`);
    }
    // Until every alarm was notified, or nothing new came for 10 s (at most 3 minutes).
    const expected = new Set(alarms.map((a) => a.name));
    let seen = 0;
    let quietSince = Date.now();
    while (Date.now() - start < 180_000) {
      const messages = webhook.accepted('/alertmanager');
      const covered = new Set(messages.flatMap((m) => namesIn((m.body as { alerts?: unknown }).alerts)));
      if ([...expected].every((name) => covered.has(name))) break;
      if (messages.length !== seen) {
        seen = messages.length;
        quietSince = Date.now();
      } else if (Date.now() - quietSince > 10_000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A moment for late duplicates to show, then the CPU it used.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const cpuMs = processCpuMs(stat()) - cpuBefore;
    const messages = webhook
      .accepted('/alertmanager')
      .map((m) => ({ at: m.receivedAt, listed: namesIn((m.body as { alerts?: unknown }).alerts) }));
    return {
      figures: receiverFigures(
        alarms.map((a) => a.name),
        messages,
        start,
      ),
      cpuMs,
      version: version ?? 'unknown version',
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** The verdict on one target. */
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** Runs the live storm (and Alertmanager beside it when installed) and returns the printed report. */
export async function runLiveStorm(options: LiveStormOptions): Promise<string> {
  const { count, store } = options;
  const seed = options.seed ?? 1;
  const windowSeconds = options.windowSeconds ?? 30;
  const alarms = stormAlarms(count, seed);
  const critical = alarms.filter((a) => a.critical);
  const dir = await mkdtemp(join(tmpdir(), 'klaxon-storm-'));
  const slack: FakeSlack = await startFakeSlack({ rateLimitPerSecond: 1 });
  const pagerDuty: FakePagerDuty = await startFakePagerDuty({ rateLimitPerMinute: 120 });
  const webhook = await startFakeWebhook();
  const cleanups: Array<() => Promise<void> | void> = [
    () => slack.close(),
    () => pagerDuty.close(),
    () => webhook.close(),
    () => rm(dir, { recursive: true, force: true }),
  ];
  try {
    const awsEnv: NodeJS.ProcessEnv = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_MAX_ATTEMPTS: '1',
    };
    if (store === 'moto') {
      const { startMoto } = await import('../test/support/moto');
      const { motoEnv } = await import('../test/support/aws-env');
      const { createDeliveryQueues, createStateTable } = await import('../test/support/aws-resources');
      const moto = await startMoto();
      cleanups.unshift(() => moto.stop());
      const motoVars = motoEnv(moto.endpoint);
      const saved = { ...process.env };
      Object.assign(process.env, motoVars);
      try {
        await createStateTable('storm-state');
        const queues = await createDeliveryQueues('storm');
        Object.assign(awsEnv, motoVars, {
          KLAXON_STATE_TABLE: 'storm-state',
          KLAXON_RETRY_QUEUE_URL: queues.retryUrl,
          KLAXON_DEAD_LETTER_QUEUE_URL: queues.deadUrl,
        });
      } finally {
        for (const key of Object.keys(motoVars)) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
    }
    const script = await buildChild(dir);
    const child = await runChild(script, join(dir, 'result.json'), {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...awsEnv,
      AWS_LAMBDA_FUNCTION_NAME: 'klaxon-storm',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_DEV: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      STORM_COUNT: String(count),
      STORM_SEED: String(seed),
      STORM_WINDOW_SECONDS: String(windowSeconds),
      STORM_STORE: store,
      STORM_PD_URL: pagerDuty.url,
      STORM_PD_KEY: PD_ROUTING_KEY,
      STORM_SLACK_URL: slack.webhookUrl('storm'),
      STORM_HOOK_URL: webhook.url('/klaxon'),
    });
    const start = child.startedAt;
    const names = alarms.map((a) => a.name);
    const slackRequests = slack.requestsFor('storm');
    const chat = receiverFigures(
      names,
      slackRequests.filter((r) => r.response?.status === 200).map((r) => slackMessage(r.body, r.receivedAt)),
      start,
    );
    const hook = receiverFigures(
      names,
      webhook.accepted('/klaxon').map((r) => klaxonWebhookMessage(r.body, r.receivedAt)),
      start,
    );
    const pager = receiverFigures(
      critical.map((a) => a.name),
      pagerDuty.requests
        .filter((r) => r.response?.status === 202)
        .map((r) => ({ at: r.receivedAt, listed: namesIn(r.body) })),
      start,
    );
    const slack429s = slackRequests.filter((r) => r.response?.status === 429).length;
    const pd429s = pagerDuty.requests.filter((r) => r.response?.status === 429).length;
    const windows = messageBudget({
      start,
      end: child.arrivalsDoneAt,
      windowSeconds,
      groupKeys: 1,
      pages: 0,
    });
    const budget = windows * 2 + critical.length;
    const messagesOut = chat.messages + hook.messages + pager.messages;
    const cpuPerAlert = (child.cpuUserMs + child.cpuSystemMs) / count;
    const all = [chat, hook, pager];
    const firstGrouped = Math.max(chat.firstMs ?? Infinity, hook.firstMs ?? Infinity);
    const lines = [
      `live storm: ${count} alarms (${critical.length} critical, seed ${seed}), ${windowSeconds} s groups by region, ${store === 'moto' ? 'DynamoDB and SQS on moto' : 'in-memory state table and queue'}, real time`,
      `  deployed alarm notifier (${count} SNS invocations, 16 at a time) and retry worker (4 SQS pollers, batches of 10),`,
      '  into loopback Slack (1 msg/s per webhook, 429 + Retry-After), PagerDuty Events v2 (120/min per key, 429) and a webhook',
      `  arrivals took ${seconds(child.arrivalsDoneAt - start)}; queue drained at ${seconds(child.drainedAt - start)}; ${child.retrierBatches} retry-worker batches, ${child.retrierFailures} given back, ${child.notifierRetries} notifier retries, ${child.deadLettered} dead-lettered`,
      HEADER,
      row('chat (Slack)', chat, slack429s),
      row('hook', hook, 0),
      row('pager (PD)', pager, pd429s),
      `messages out ${messagesOut} (budget: ${windows} windows touched × 1 group key × 2 grouped receivers + ${critical.length} pages = ${budget})`,
      `CPU ${cpuPerAlert.toFixed(3)} ms per alert (Klaxon's process, user + system, notifier and retry worker), peak RSS ${(child.maxRssBytes / 1024 / 1024).toFixed(0)} MB`,
      `targets: 0 lost ${verdict(all.every((f) => f.lost === 0))}; 0 duplicated ${verdict(all.every((f) => f.duplicated === 0))}; Slack ≤ 1 msg/s with 0 429s ${verdict(chat.peakPerSecond <= 1 && slack429s === 0)}; messages ≤ budget ${verdict(messagesOut <= budget)}; first grouped notification ≤ window + 2 s ${verdict(firstGrouped <= (windowSeconds + 2) * 1000)}`,
    ];
    const binary = options.alertmanager ?? ALERTMANAGER_BINARY;
    if (!existsSync(binary)) {
      lines.push(
        `alertmanager: skipped, ${binary} is not installed (Debian package prometheus-alertmanager); the Klaxon figures above stand alone`,
      );
    } else {
      try {
        const am = await runAlertmanager(binary, alarms, webhook, { windowSeconds, dir });
        lines.push(
          `alertmanager ${am.version} beside it: the same ${count} alarms posted to /api/v2/alerts in batches of 256; group_by ['...'], group_wait 0s, group_interval ${windowSeconds}s, repeat_interval 4h; one webhook receiver on the same server`,
          HEADER,
          row('klaxon hook', hook, 0),
          row('alertmanager', am.figures, '-'),
          `CPU per alert: Klaxon ${cpuPerAlert.toFixed(3)} ms (notifier and retry worker, all three receivers), Alertmanager ${(am.cpuMs / count).toFixed(3)} ms (its process, /proc/<pid>/stat, one receiver)`,
        );
      } catch (error) {
        lines.push(`alertmanager: skipped, it did not run: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return lines.join('\n');
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
