/**
 * Log-bytes child (bundled by bench/run.ts, run in its own process with Lambda-like environment).
 * Runs the deployed-style observer (PowertoolsObserver over the real Powertools Logger and
 * Metrics, tracer disabled) in `deliver` mode against receivers whose HTTP calls are answered
 * in-process, one invocation per corpus line, and counts every byte written to stdout and stderr.
 *
 * argv: <corpus.ndjson> <klaxon.yml> <result.json> <alerts wanted>
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../shared/config/yaml';
import { Dispatcher } from '../../shared/delivery/dispatcher';
import { PowertoolsObserver } from '../../shared/observability/observer';
import { createPowertools } from '../../shared/observability/powertools';
import { type PipelineDeps, processEventText } from '../../shared/pipeline';
import { type Clock, createReceivers } from '../../shared/receivers/factory';

/** What the child writes. */
export interface LogBytesResult {
  invocations: number;
  alerts: number;
  stdoutBytes: number;
  stderrBytes: number;
  emfBytes: number;
  emfLines: number;
  logBytes: number;
  logLines: number;
  decisionLines: number;
  decisionBytes: number;
  largestLineBytes: number;
}

const [corpus, configFile, resultFile, wantedText] = process.argv.slice(2);
if (!corpus || !configFile || !resultFile)
  throw new Error('usage: log-bytes <corpus> <klaxon.yml> <result> [alerts]');
const wanted = Number(wantedText ?? '1000');

const counts: LogBytesResult = {
  invocations: 0,
  alerts: 0,
  stdoutBytes: 0,
  stderrBytes: 0,
  emfBytes: 0,
  emfLines: 0,
  logBytes: 0,
  logLines: 0,
  decisionLines: 0,
  decisionBytes: 0,
  largestLineBytes: 0,
};

function account(chunk: unknown, stream: 'stdoutBytes' | 'stderrBytes'): void {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const bytes = Buffer.byteLength(line) + 1;
    counts[stream] += bytes;
    counts.largestLineBytes = Math.max(counts.largestLineBytes, bytes);
    if (line.includes('"_aws":')) {
      counts.emfBytes += bytes;
      counts.emfLines += 1;
    } else {
      counts.logBytes += bytes;
      counts.logLines += 1;
      if (line.includes('"alert decided"') || line.includes('"alert delivery failed"')) {
        counts.decisionLines += 1;
        counts.decisionBytes += bytes;
      }
    }
  }
}

const stdoutWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);
const capture =
  (stream: 'stdoutBytes' | 'stderrBytes') =>
  (chunk: unknown, ...rest: unknown[]): boolean => {
    account(chunk, stream);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };

async function main(): Promise<void> {
  const config = loadConfig(readFileSync(configFile as string, 'utf8'), configFile);
  // The first 16 MB of the corpus are thousands of lines: plenty for the sample.
  const buffer = Buffer.alloc(16 * 1024 * 1024);
  const fd = openSync(corpus as string, 'r');
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  const lines = buffer.toString('utf8', 0, read).split('\n');
  if (read === buffer.length) lines.pop(); // cut mid-line
  process.stdout.write = capture('stdoutBytes') as typeof process.stdout.write;
  process.stderr.write = capture('stderrBytes') as typeof process.stderr.write;
  try {
    const { logger, metrics, tracer } = createPowertools('klaxon-alarm-notifier');
    // Virtual time: pacing and backoff sleeps return at once and advance the clock.
    let virtualNow = Date.parse('2026-03-14T12:00:00Z');
    const clock: Clock = {
      now: () => virtualNow,
      sleep: async (ms) => {
        virtualNow += ms;
      },
    };
    const observer = new PowertoolsObserver(logger, metrics, tracer);
    const receivers = createReceivers(config.receivers, {
      secrets: {
        resolve: async (ref) =>
          'ssm' in ref && ref.ssm.includes('slack')
            ? 'https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX'
            : '0123456789abcdef0123456789abcdef',
      },
      post: async (url) => ({
        status: url.includes('pagerduty') ? 202 : 200,
        headers: new Headers(),
        body: url.includes('pagerduty') ? '{"status":"success","message":"Event processed"}' : 'ok',
      }),
      clock,
      // As deployedReceivers (shared/deployed/receivers.ts) does in Lambda.
      consoleSink: (alert, receiver) =>
        logger.info('console receiver', {
          receiver,
          fingerprint: alert.fingerprint,
          severity: alert.severity,
          status: alert.status,
          summary: alert.annotations.summary,
        }),
    });
    const deps: PipelineDeps = {
      config,
      receivers,
      mode: 'deliver',
      observer,
      now: () => new Date(virtualNow),
      // No state store or queue (local-run dispatcher): each alert is delivered once, at once.
      dispatcher: new Dispatcher({
        config,
        receivers,
        clock,
        observer,
        remainingMs: () => 30_000,
        leaseMs: 60_000,
      }),
    };
    for (const line of lines) {
      if (counts.alerts >= wanted) break;
      if (line.length === 0) continue;
      counts.invocations += 1;
      // As the handler does with the Lambda context on every invocation.
      logger.addContext({
        callbackWaitsForEmptyEventLoop: true,
        functionName: 'klaxon-prod-alarmNotifier',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:klaxon-prod-alarmNotifier',
        memoryLimitInMB: '256',
        awsRequestId: `c6af9ac6-7b61-11e6-9a41-${String(counts.invocations).padStart(12, '0')}`,
        logGroupName: '/aws/lambda/klaxon-prod-alarmNotifier',
        logStreamName: '2026/03/14/[$LATEST]0123456789abcdef0123456789abcdef',
        getRemainingTimeInMillis: () => 30_000,
        done: () => {},
        fail: () => {},
        succeed: () => {},
      });
      const result = await processEventText(line, deps);
      counts.alerts += result.alerts.length;
    }
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  writeFileSync(resultFile as string, JSON.stringify(counts));
}

main().catch((error: unknown) => {
  process.stderr.write = stderrWrite;
  process.stderr.write(`log-bytes child failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
