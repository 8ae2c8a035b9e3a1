import { boundedCopy, jsonBytesBound } from '../json';
import type { AlertAnnotations, AlertLabels } from './alert';
import type { AlertDraft } from '../sources/types';

/** The size limits every alert is held to where its event is parsed (UTF-8 bytes). */
export const ALERT_CAPS = {
  /** Each annotation (AWS caps an alarm description at 1,024 characters; 4 KB leaves room for links). */
  annotationBytes: 4096,
  /** Each label value. */
  labelValueBytes: 1024,
  /** The number of labels. */
  labels: 64,
  /** The raw event kept for the record, serialized. */
  rawBytes: 65536,
} as const;

/** Ends every value Klaxon had to cut, so a reader sees that it was cut. */
export const TRUNCATION_MARKER = ' …[truncated]';

/** Labels never dropped for the label cap: they identify and route the alert. */
const KEPT_LABELS = new Set([
  'source',
  'account',
  'region',
  'kind',
  'alarmName',
  'alarmArn',
  'state',
  'previousState',
  'alarmKind',
  'namespace',
  'metricName',
  'topic',
  'detection',
  'eventName',
  'principal',
  'findingId',
  'findingType',
]);

/** The UTF-8 size of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts text to at most `maxBytes` UTF-8 bytes, marker included, never inside a code point (a
 * surrogate pair stays whole); text that fits comes back as it was.
 */
export function cutToBytes(text: string, maxBytes: number, marker = TRUNCATION_MARKER): string {
  // Cheap exit: UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (text.length * 3 <= maxBytes || utf8Bytes(text) <= maxBytes) return text;
  const room = Math.max(0, maxBytes - utf8Bytes(marker));
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.codePointAt(end) ?? 0;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > room) break;
    bytes += size;
    end += code > 0xffff ? 2 : 1;
  }
  return `${text.slice(0, end)}${marker}`;
}

/** How deep boundedCopy follows a raw event before it cuts. */
const RAW_MAX_DEPTH = 32;

/** The raw event as kept for the record: as it came when it is shallow and small enough, else bounded or cut. */
function capRaw(raw: unknown): { raw: unknown; cut?: string } {
  // Most events are far under the cap: a bound proves it without a copy or a serialization.
  if (jsonBytesBound(raw, ALERT_CAPS.rawBytes, RAW_MAX_DEPTH) <= ALERT_CAPS.rawBytes) return { raw };
  const bounded = boundedCopy(raw, RAW_MAX_DEPTH);
  const text = JSON.stringify(bounded.value);
  if (text === undefined) return { raw };
  const bytes = utf8Bytes(text);
  if (bytes > ALERT_CAPS.rawBytes) {
    return {
      raw: { truncated: true, bytes, json: cutToBytes(text, ALERT_CAPS.rawBytes - 256) },
      cut: `raw event (${bytes} bytes)`,
    };
  }
  return bounded.cut ? { raw: bounded.value, cut: 'raw event (nested too deep)' } : { raw };
}

/**
 * Holds a draft to ALERT_CAPS: long annotations and label values are cut with a visible marker,
 * labels past the cap are dropped (never the identifying ones), and an oversized or too deeply
 * nested raw event is cut. What was cut is named in the `truncated` annotation. A draft within the
 * caps comes back as it was.
 */
export function capDraft(draft: AlertDraft): AlertDraft {
  const cut: string[] = [];
  // Labels and annotations are copied only when something in them is cut.
  let annotations: AlertAnnotations | undefined;
  for (const name of Object.keys(draft.annotations)) {
    const value = draft.annotations[name];
    const capped = value === undefined ? value : cutToBytes(value, ALERT_CAPS.annotationBytes);
    if (capped === value) continue;
    cut.push(`annotation ${name}`);
    annotations ??= { ...draft.annotations };
    annotations[name] = capped;
  }
  const names = Object.keys(draft.labels);
  const droppedNames =
    names.length > ALERT_CAPS.labels
      ? names.filter((name) => !KEPT_LABELS.has(name)).slice(ALERT_CAPS.labels - names.length)
      : [];
  let labels: AlertLabels | undefined;
  if (droppedNames.length > 0) {
    labels = { ...draft.labels };
    for (const name of droppedNames) delete labels[name];
  }
  const kept = labels ?? draft.labels;
  for (const name of Object.keys(kept)) {
    const value = kept[name] as string;
    const capped = cutToBytes(value, ALERT_CAPS.labelValueBytes);
    if (capped === value) continue;
    cut.push(`label ${name}`);
    labels ??= { ...draft.labels };
    labels[name] = capped;
  }
  if (droppedNames.length > 0) cut.push(`${droppedNames.length} labels (${droppedNames.join(', ')})`);
  const raw = capRaw(draft.raw);
  if (raw.cut) cut.push(raw.cut);
  if (cut.length === 0) return draft;
  return {
    ...draft,
    labels: labels ?? draft.labels,
    annotations: {
      ...(annotations ?? draft.annotations),
      truncated: cutToBytes(`Klaxon cut: ${cut.join('; ')}`, ALERT_CAPS.annotationBytes),
    },
    raw: raw.raw,
  };
}
