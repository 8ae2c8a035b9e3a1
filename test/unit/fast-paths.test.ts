import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../shared/receivers/text';
import { pathValue } from '../../shared/security/cloudtrail-fields';
import { parseArn } from '../../shared/sources/arn';
import { alarmTimeMillis } from '../../shared/sources/cloudwatch-alarm/normalize';
import { isRegionCode, consolePartitionOf } from '../../shared/alert/partition';
import { isRecord } from '../../shared/json';

/*
 * Hot-path functions written for speed, each checked against the plain form it replaced over
 * generated inputs: a fast path that answers differently from the plain one fails here.
 */

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function texts(alphabet: string, count: number, maxLength: number, seed = 7): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () =>
    Array.from(
      { length: Math.floor(next() * maxLength) },
      () => alphabet[Math.floor(next() * alphabet.length)],
    ).join(''),
  );
}

const plainEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const plainAlarmTime = (text: string) => {
  const millis = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(millis) ? undefined : millis;
};

const plainPathValue = (value: unknown, path: string) => {
  let node = value;
  for (const part of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  return node;
};

const plainParseArn = (arn: string) => {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, arnPartition = '', service = '', region = '', account = ''] = parts;
  if (!/^aws(-[a-z]+)*$/.test(arnPartition) || !service) return undefined;
  if (region && !isRegionCode(region)) return undefined;
  if (account && !/^\d{12}$/.test(account)) return undefined;
  return {
    arnPartition,
    partition: region ? consolePartitionOf(region) : undefined,
    service,
    region,
    account,
    resource: parts.slice(5).join(':'),
  };
};

describe('hot-path fast paths answer as the plain forms do', () => {
  it('escapeMrkdwn', () => {
    const inputs = [...texts('ab &<>;\u00e9\ud83d\ude00', 3000, 40), '', '&', '<<>>', 'plain text'];
    for (const text of inputs) expect(escapeMrkdwn(text)).toBe(plainEscape(text));
    const untouched = 'a text with no control characters';
    expect(escapeMrkdwn(untouched)).toBe(untouched);
  });

  it('alarmTimeMillis', () => {
    const stamps = [
      '2024-05-01T12:00:00.000+0000',
      '2024-05-01T12:00:00.000-0530',
      '2024-05-01T12:00:00.000+05:30',
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:00:00.000+000',
      '2024-05-01T12:00:00.000+00a0',
      '+0000',
      '0000',
      '',
      'not a time',
      '2024-13-45T99:00:00.000+0000',
    ];
    const generated = texts('0123456789+-:.TZ', 3000, 30, 11).map((t) => `2024-05-01T12:00:00${t}`);
    for (const text of [...stamps, ...generated]) expect(alarmTimeMillis(text)).toBe(plainAlarmTime(text));
    expect(alarmTimeMillis('2024-05-01T12:00:00.000+0000')).toBe(Date.UTC(2024, 4, 1, 12));
  });

  it('pathValue', () => {
    const value = { a: { b: { c: 1, '': 2 }, list: [{ x: 1 }] }, 'a.b': 3, '': { '': 4 } };
    const paths = ['a', 'a.b', 'a.b.c', 'a.b.', 'a..b', '', '.', 'a.list.0', 'a.b.c.d', 'a.b', 'x.y', '..'];
    for (const target of [value, null, undefined, 'text', [1, 2], { a: null }]) {
      for (const path of paths) expect(pathValue(target, path)).toBe(plainPathValue(target, path));
    }
    for (const path of texts('ab.c', 2000, 8, 3))
      expect(pathValue(value, path)).toBe(plainPathValue(value, path));
  });

  it('parseArn', () => {
    const arns = [
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:High CPU: web:01',
      'arn:aws-cn:sns:cn-north-1:123456789012:topic',
      'arn:aws:iam::123456789012:role/admin',
      'arn:aws:s3:::bucket',
      'arn:aws:s3:::',
      'arn:aws:s3::',
      'arn:aws::us-east-1:123456789012:x',
      'arn:AWS:s3:::bucket',
      'arn:aws:ec2:US-EAST-1:123456789012:instance/i-1',
      'arn:aws:ec2:us-east-1:12345678901:instance/i-1',
      'arn:aws-iso-b:ec2:us-isob-east-1:123456789012:instance/i-1',
      'arn',
      'arn:',
      'urn:aws:s3:::bucket',
      '',
    ];
    const generated = texts('arnws:-ec21us', 4000, 24, 5).map((t) => `arn:${t}`);
    for (const arn of [...arns, ...generated]) expect(parseArn(arn)).toEqual(plainParseArn(arn));
    expect(parseArn(arns[0]!)?.resource).toBe('alarm:High CPU: web:01');
  });
});
