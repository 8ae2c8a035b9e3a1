import type { Severity } from '../../../shared/alert/alert';
import type { DecisionRecord, SuppressionKind } from '../../../shared/noise/record';

/** 2026-03-14T08:00:00Z: the digest runs here in the unit tests. */
export const T0 = Date.UTC(2026, 2, 14, 8, 0, 0);
/** Minutes, in milliseconds. */
export const MIN = 60_000;

let sequence = 0;

/** A decision record as the noise stage writes it, with only what each test cares about set. */
export function record(options: {
  at: number;
  name?: string;
  status?: 'firing' | 'resolved';
  severity?: Severity;
  source?: string;
  kind?: string;
  routes?: string[];
  suppressed?: SuppressionKind;
  flapping?: string;
  note?: string;
  mode?: 'deliver' | 'preview';
  transitionId?: string;
  summary?: string;
}): DecisionRecord {
  const name = options.name ?? 'api-prod-5xx';
  const source = options.source ?? 'cloudwatch-alarm';
  const status = options.status ?? 'firing';
  const fingerprint =
    source === 'cloudwatch-alarm' ? `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}` : name;
  sequence += 1;
  return {
    at: new Date(options.at).toISOString(),
    mode: options.mode ?? 'deliver',
    fingerprint,
    transitionId: options.transitionId ?? `${fingerprint}|${status}|${options.at}|${sequence}`,
    ...(options.note ? { note: options.note } : {}),
    arrived: { path: 'eventbridge', excerpt: '{}' },
    alert: {
      status,
      severity: options.severity ?? 'warning',
      summary: options.summary ?? `${status === 'firing' ? 'ALARM' : 'OK'}: ${name}`,
      labels: {
        source,
        account: '123456789012',
        region: 'us-east-1',
        ...(source === 'cloudwatch-alarm' ? { alarmName: name } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
      },
    },
    severitySource: 'default',
    routes: [
      {
        route: 'root',
        path: 'route',
        depth: 0,
        matcher: '(everything)',
        receiver: 'chat',
        continue: false,
        reached: true,
        matched: true,
        selected: (options.routes ?? []).length === 0,
      },
      ...(options.routes ?? []).map((route) => ({
        route,
        path: `route.routes[${route}]`,
        depth: 1,
        matcher: 'x',
        receiver: route,
        continue: true,
        reached: true,
        matched: true,
        selected: true,
      })),
    ],
    receivers: ['chat'],
    skipped: [],
    ...(options.suppressed
      ? { suppressed: { kind: options.suppressed, reason: `${options.suppressed} reason` } }
      : {}),
    ...(options.flapping ? { flapping: options.flapping } : {}),
    deliveries: [],
  };
}
