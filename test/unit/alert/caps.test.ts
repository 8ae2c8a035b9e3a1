import { describe, expect, it } from 'vitest';
import { ALERT_CAPS, capDraft, cutToBytes, TRUNCATION_MARKER, utf8Bytes } from '../../../shared/alert/caps';
import { loadConfig } from '../../../shared/config/yaml';
import { boundedCopy, safeStringify, TOO_DEEP } from '../../../shared/json';
import { NoiseEngine } from '../../../shared/noise/engine';
import { silentObserver } from '../../../shared/observability/observer';
import { type PipelineDeps, processEventText } from '../../../shared/pipeline';
import type { AlertDraft } from '../../../shared/sources/types';
import { fixture, repoText } from '../../support/fixtures';
import { alarmDraft } from '../../support/drafts';
import { previewDeps } from '../../support/preview-deps';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DEEP = '['.repeat(6000) + ']'.repeat(6000);

const draft = alarmDraft;

describe('cutToBytes', () => {
  it('leaves text that fits as it was', () => {
    expect(cutToBytes('short', 10)).toBe('short');
    expect(cutToBytes('é'.repeat(5), 10)).toBe('é'.repeat(5));
  });

  it('cuts to the byte limit, marker included, and ends with the marker', () => {
    const cut = cutToBytes('x'.repeat(10_000), 4096);
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(4096);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(utf8Bytes(cut)).toBeGreaterThan(4096 - 4);
  });

  it('never splits a surrogate pair or a multi-byte character', () => {
    for (let shift = 0; shift < 8; shift += 1) {
      const text = `${'a'.repeat(shift)}${'😀é€'.repeat(2000)}`;
      const cut = cutToBytes(text, 1024);
      expect(utf8Bytes(cut)).toBeLessThanOrEqual(1024);
      expect(cut).not.toMatch(LONE_SURROGATE);
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    }
  });
});

describe('safe serialization', () => {
  it('serializes 6,000 nested arrays without overflowing the stack, marking what it left out', () => {
    const deep = JSON.parse(DEEP) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const text = safeStringify(deep) ?? '';
    expect(text).toContain(TOO_DEEP);
    expect(boundedCopy(deep).cut).toBe(true);
    expect(boundedCopy({ a: [1, { b: 2 }] })).toEqual({ value: { a: [1, { b: 2 }] }, cut: false });
  });
});

describe('capDraft', () => {
  it('returns a draft within the caps unchanged', () => {
    const given = draft();
    expect(capDraft(given)).toBe(given);
  });

  it('cuts a 300 KB description to 4 KB and says what it cut', () => {
    const capped = capDraft(draft({ annotations: { summary: 's', description: 'd'.repeat(300_000) } }));
    expect(utf8Bytes(capped.annotations.description ?? '')).toBeLessThanOrEqual(ALERT_CAPS.annotationBytes);
    expect(capped.annotations.description?.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(capped.annotations.truncated).toBe('Klaxon cut: annotation description');
    expect(capped.annotations.summary).toBe('s');
  });

  it('keeps at most 64 labels, never dropping the identifying ones, and cuts long values', () => {
    const extra = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`tag${i}`, 'v']));
    const labels = { ...extra, source: 'cloudwatch-alarm', account: '123456789012', region: 'us-east-1' };
    const capped = capDraft(
      draft({ labels: { ...labels, alarmName: 'n'.repeat(2048) } as AlertDraft['labels'] }),
    );
    expect(Object.keys(capped.labels)).toHaveLength(ALERT_CAPS.labels);
    expect(capped.labels).toMatchObject({
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
    });
    expect(utf8Bytes(capped.labels.alarmName ?? '')).toBeLessThanOrEqual(ALERT_CAPS.labelValueBytes);
    expect(capped.annotations.truncated).toMatch(/label alarmName; 40 labels \(tag60, tag61/);
    expect(capped.fingerprint).toBe(draft().fingerprint);
  });

  it('cuts a raw event over 64 KB to an excerpt, and bounds one nested too deep', () => {
    const big = capDraft(draft({ raw: { AlarmDescription: 'x'.repeat(200_000) } }));
    expect(big.raw).toMatchObject({ truncated: true });
    expect(utf8Bytes(JSON.stringify(big.raw))).toBeLessThanOrEqual(ALERT_CAPS.rawBytes);
    const deep = capDraft(draft({ raw: { detail: JSON.parse(DEEP) as unknown } }));
    expect(() => JSON.stringify(deep.raw)).not.toThrow();
    expect(deep.annotations.truncated).toBe('Klaxon cut: raw event (nested too deep)');
  });
});

describe('the pipeline with oversized and deeply nested events', () => {
  const config = loadConfig(repoText('klaxon.yml'));
  const deps: PipelineDeps = {
    ...previewDeps(config),
    noise: new NoiseEngine({ config, observer: silentObserver, now: () => new Date('2026-03-14T10:00:00Z') }),
  };
  const alarm = fixture('cloudwatch-alarm/eventbridge-metric-alarm-5xx.json') as Record<string, unknown>;
  const withDeep = (event: unknown, marker = '"@deep@"') => JSON.stringify(event).split(marker).join(DEEP);

  it('still alerts on an alarm event that carries 6,000 nested arrays, and the result serializes', async () => {
    const detail = alarm.detail as Record<string, unknown>;
    const result = await processEventText(
      withDeep({ ...alarm, detail: { ...detail, extra: '@deep@' } }),
      deps,
    );
    expect(result.outcome).toBe('alerts');
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('reports a deeply nested event it cannot use as invalid, with a notice, instead of throwing', async () => {
    const result = await processEventText(withDeep({ source: 'aws.cloudwatch', detail: '@deep@' }), deps);
    expect(result.outcome).toBe('invalid');
    expect(result.notices).toHaveLength(1);
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('holds a 255 KB alarm description to 4 KB in the alert and in every payload', async () => {
    const sns = fixture('cloudwatch-alarm/sns-metric-alarm-5xx.json') as {
      Records: Array<{ Sns: { Message: string } }>;
    };
    const record = sns.Records[0]!;
    const message = { ...(JSON.parse(record.Sns.Message) as object), AlarmDescription: 'y'.repeat(255_000) };
    const event = { Records: [{ ...record, Sns: { ...record.Sns, Message: JSON.stringify(message) } }] };
    const result = await processEventText(JSON.stringify(event), deps);
    const alert = result.alerts[0]?.decision.alert;
    expect(utf8Bytes(alert?.annotations.description ?? '')).toBeLessThanOrEqual(ALERT_CAPS.annotationBytes);
    expect(alert?.annotations.truncated).toContain('annotation description');
    for (const payload of Object.values(result.alerts[0]?.payloads ?? {})) {
      expect(utf8Bytes(JSON.stringify(payload))).toBeLessThan(64 * 1024);
    }
  });
});
