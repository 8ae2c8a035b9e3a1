import { loadConfig } from '../../../shared/config/yaml';
import { Dispatcher } from '../../../shared/delivery/dispatcher';
import { NoiseEngine } from '../../../shared/noise/engine';
import { silentObserver } from '../../../shared/observability/observer';
import { type PipelineDeps, processEvent } from '../../../shared/pipeline';
import type { Receiver } from '../../../shared/receivers/types';
import { MemoryStateStore } from '../../../shared/state/memory';
import { RecordingQueue, ScriptedReceiver } from '../../support/delivery-fakes';

/** An EventBridge "CloudWatch Alarm State Change" event for one alarm transition. */
export function alarmEvent(options: {
  name: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  at: number;
  previous?: string;
  tags?: Record<string, string>;
  composite?: boolean;
}): unknown {
  const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${options.name}`;
  const stamp = new Date(options.at).toISOString().replace('Z', '+0000');
  return {
    version: '0',
    id: `id-${options.name}-${options.at}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: new Date(options.at).toISOString(),
    region: 'us-east-1',
    resources: [arn],
    detail: {
      alarmName: options.name,
      state: { value: options.state, reason: `went ${options.state}`, timestamp: stamp },
      previousState: {
        value: options.previous ?? (options.state === 'ALARM' ? 'OK' : 'ALARM'),
        reason: 'before',
        timestamp: stamp,
      },
      configuration: options.composite
        ? { alarmRule: 'ALARM(child-a) OR ALARM(child-b)', description: 'composite' }
        : {
            description: `${options.name} description`,
            metrics: [
              {
                id: 'm1',
                metricStat: {
                  metric: {
                    namespace: 'AWS/ApplicationELB',
                    name: 'HTTPCode_Target_5XX_Count',
                    dimensions: {},
                  },
                  period: 60,
                  stat: 'Sum',
                },
                returnData: true,
              },
            ],
          },
      alarmTags: options.tags ?? {},
      alarmTagsStatus: 'SUCCESS',
    },
  };
}

const BASE_HEAD = `
severity:
  - match: { alarmName: '*-critical' }
    severity: critical
receivers:
  pager: { type: pagerduty, routingKey: { env: PD } }
  chat: { type: slack, webhookUrl: { env: SLACK } }
`;

const BASE_ROUTE = `
route:
  receiver: chat
  routes:
    - name: page
      match: { severity: critical }
      receiver: pager
      continue: true
`;

/** The harness configuration: two receivers, critical pages (and continues), the rest to chat. */
export const BASE_CONFIG = `${BASE_HEAD}${BASE_ROUTE}`;

/** A deliver-mode pipeline over an in-memory state table, a recording queue and scripted receivers. */
export function harness(
  extraYaml = '',
  options: { start?: number; mode?: 'deliver' | 'preview'; store?: boolean } = {},
) {
  const config = loadConfig(`${BASE_HEAD}${/^route:/m.test(extraYaml) ? '' : BASE_ROUTE}\n${extraYaml}`);
  let now = options.start ?? Date.UTC(2026, 2, 14, 10, 0, 0);
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
  const receivers = {
    pager: new ScriptedReceiver('pager', 'pagerduty', false),
    chat: new ScriptedReceiver('chat', 'slack', false),
  };
  const receiverMap = new Map<string, Receiver>(Object.entries(receivers));
  const store = options.store === false ? undefined : new MemoryStateStore();
  const queue = new RecordingQueue();
  const engine = new NoiseEngine({
    config,
    store,
    queue,
    observer: silentObserver,
    now: () => new Date(now),
    silenceCacheMs: 0,
  });
  const dispatcher = new Dispatcher({
    config,
    receivers: receiverMap,
    store,
    queue,
    clock,
    observer: silentObserver,
    remainingMs: () => 25_000,
    leaseMs: 45_000,
    noiseJob: (job, running) => engine.runJob(job, running),
  });
  const deps: PipelineDeps = {
    config,
    receivers: receiverMap,
    mode: options.mode ?? 'deliver',
    observer: silentObserver,
    now: () => new Date(now),
    dispatcher,
    store,
    noise: engine,
  };
  return {
    config,
    engine,
    store,
    queue,
    receivers,
    dispatcher,
    deps,
    now: () => now,
    set: (at: number) => {
      now = at;
    },
    advance: (ms: number) => {
      now += ms;
    },
    send: (event: unknown) => processEvent(event, deps),
    /** Sent summaries per receiver. */
    sent: (name: 'pager' | 'chat') =>
      receivers[name].sent.map(
        (a) => `${a.status}:${a.annotations.summary.replace(/ in \d{12}\/[a-z0-9-]+$/, '')}`,
      ),
    /** Runs every queued noise job that is due (re-queued ones stay queued). */
    runDueJobs: async () => {
      const jobs = queue.drain();
      for (const { job } of jobs) {
        if (job.kind !== 'noise' || job.dueAt > now + 1000) {
          queue.retried.push({ job, delaySeconds: 0 });
          continue;
        }
        await dispatcher.runJob(job);
      }
    },
  };
}
