import type { Alert } from './alert';
import { jsonBytesBound } from '../json';
import { cutToBytes, utf8Bytes } from './caps';

/** The most one alert may take in a queue job, a group member item or a webhook body (UTF-8 bytes of JSON). */
export const MEMBER_MAX_BYTES = 64 * 1024;

/** Steps of the per-field cut `fitAlert` tries, largest first (UTF-8 bytes). */
const FIELD_STEPS = [2048, 1024, 512, 256, 128] as const;

function cutValues<T extends object>(values: T, maxBytes: number): T {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'string' ? cutToBytes(value, maxBytes) : value,
    ]),
  ) as T;
}

/**
 * The alert cut to at most `maxBytes` of JSON: annotations and label values are cut ever shorter (each
 * with the truncation marker, never inside a code point), then the links and metric context dropped.
 */
export function fitAlert(alert: Alert, maxBytes: number): Alert {
  // Most alerts are far under the limit: a bound proves it without serializing the alert.
  if (jsonBytesBound(alert, maxBytes, 64) <= maxBytes) return alert;
  const size = (value: Alert) => utf8Bytes(JSON.stringify(value));
  if (size(alert) <= maxBytes) return alert;
  let fitted = alert;
  for (const step of FIELD_STEPS) {
    fitted = {
      ...alert,
      annotations: cutValues(alert.annotations, step),
      labels: cutValues(alert.labels, step),
    };
    if (size(fitted) <= maxBytes) return fitted;
  }
  return {
    ...fitted,
    labels: cutValues(alert.labels, 64),
    annotations: { summary: cutToBytes(alert.annotations.summary ?? '', 256) } as Alert['annotations'],
    links: [],
    metric: undefined,
  };
}
