import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestOptions } from '../../../shared/digest/digest';
import {
  prepareDigest,
  renderDigestJson,
  renderDigestSlack,
  renderDigestText,
} from '../../../shared/digest/render';
import { slackMessageError } from '../../support/fake-slack';
import { MIN, record, T0 } from './support';

const options = (extra: Partial<DigestOptions> = {}): DigestOptions => ({
  from: new Date(T0 - 24 * 60 * MIN),
  to: new Date(T0),
  quickResolveMinutes: 10,
  top: 10,
  ...extra,
});

/** Every `text` string in a Block Kit message. */
function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'text' && typeof item === 'string' ? [item] : texts(item),
  );
}

function busyDigest() {
  const records = [];
  for (let i = 0; i < 60; i++) {
    const name = `svc-${i}-<script>&-${'x'.repeat(150)}`;
    for (let n = 0; n <= i % 4; n++) {
      records.push(record({ at: T0 - (i * 10 + n) * MIN, name, routes: [`route-${i % 7}`] }));
    }
    records.push(record({ at: T0 - (i * 10 - 2) * MIN, name, status: 'resolved' }));
    records.push(
      record({ at: T0 - (i * 10 + 5) * MIN, name, suppressed: 'flapping', flapping: `held <${i}>` }),
    );
    records.push(
      record({
        at: T0 - i * MIN,
        name: `health-${i}`,
        source: 'aws-health',
        kind: 'health',
        severity: 'info',
        summary: `AWS Health: EC2 <issue> & ${'y'.repeat(300)}`,
      }),
    );
  }
  return buildDigest(records, [], options({ top: 50, keep: 3 }));
}

describe('the Slack digest', () => {
  it('stays within the Block Kit limits whatever the lists hold, cutting lists line by line', () => {
    const digest = busyDigest();
    expect(digest.noisiest).toHaveLength(50);
    const message = renderDigestSlack(digest);
    expect(slackMessageError(message)).toBeUndefined();
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const all = texts(message.blocks);
    expect(all.join('').length).toBeLessThanOrEqual(10_000);
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(all.join('\n')).toMatch(/…and \d+ more/);
    // Every list made it into the message, not only the first one.
    for (const heading of [
      'Noisiest alarms',
      'Flapping alarms',
      'Resolved on their own',
      'Informational events',
    ])
      expect(all.some((t) => t.includes(heading))).toBe(true);
  });

  it('escapes what came from events and marks lower bounds', () => {
    const digest = buildDigest(
      [
        ...[1, 2, 3].map((i) => record({ at: T0 - i * MIN, name: 'api <prod> & co' })),
        record({
          at: T0 - 5 * MIN,
          name: 'h',
          source: 'aws-health',
          kind: 'health',
          severity: 'info',
          summary: 'EC2 <b>degraded</b> & more',
        }),
      ],
      [],
      options({ keep: 3 }),
    );
    const text = texts(renderDigestSlack(digest).blocks).join('\n');
    expect(text).toContain('3+  api &lt;prod&gt; &amp; co');
    expect(text).toContain('EC2 &lt;b&gt;degraded&lt;/b&gt; &amp; more');
    expect(text).not.toMatch(/<b>|<prod>/);
    expect(text).toContain('n+ is a lower bound');
  });

  it('posts one short message for an empty period', () => {
    const message = renderDigestSlack(buildDigest([], [], options()));
    expect(slackMessageError(message)).toBeUndefined();
    expect(message.blocks).toHaveLength(3);
    expect(texts(message.blocks).join('\n')).toContain(
      'Nothing to report: no alerts, informational events or remediations in the last 24 h.',
    );
    expect(message.text).toBe('Klaxon digest: the last 24 h: nothing to report');
  });
});

describe('the text and JSON digests', () => {
  it('renders every section as plain text, unescaped', () => {
    const digest = buildDigest(
      [
        record({ at: T0 - 30 * MIN, name: 'api <prod>', severity: 'critical', routes: ['page'] }),
        record({ at: T0 - 27 * MIN, name: 'api <prod>', status: 'resolved' }),
        record({ at: T0 - 20 * MIN, name: 'muted', suppressed: 'silence' }),
        record({
          at: T0 - 10 * MIN,
          name: 'd-1',
          source: 'codedeploy',
          kind: 'deployment',
          severity: 'info',
          summary: 'Deployment d-1 succeeded',
        }),
      ],
      [
        {
          rule: 'restart',
          action: 'AWS-RestartEC2Instance',
          outcome: 'started',
          result: 'failed',
          decidedAt: T0 - MIN,
          startedAt: T0 - MIN,
        },
      ],
      options(),
    );
    const text = renderDigestText(digest);
    expect(text).toContain('Klaxon digest: the last 24 h (2026-03-13 08:00 UTC to 2026-03-14 08:00 UTC)');
    expect(text).toContain(
      '2 alerts firing (1 notified), 1 resolved, 1 informational event, 1 remediation started.',
    );
    expect(text).toContain('By severity:  critical 1, warning 1');
    expect(text).toContain('By route:     page 1, root 1');
    expect(text).toContain('Suppressed:   silence 1');
    expect(text).toContain('Resolved on their own within 10 min');
    expect(text).toContain('1x  api <prod>: after 3m');
    expect(text).toContain('Informational events: 1 (codedeploy/deployment 1)');
    expect(text).toContain('2026-03-14 07:50  codedeploy/deployment  Deployment d-1 succeeded');
    expect(text).toContain('AWS-RestartEC2Instance: 1 started, 0 succeeded, 1 failed');
    expect(renderDigestText(buildDigest([], [], options()))).toBe(
      'Klaxon digest: the last 24 h (2026-03-13 08:00 UTC to 2026-03-14 08:00 UTC)\n' +
        'Nothing to report: no alerts, informational events or remediations in the last 24 h.\n',
    );
  });

  it('gives webhooks the digest as versioned JSON, and each receiver type its own form', () => {
    const digest = buildDigest([record({ at: T0 - MIN })], [], options());
    expect(renderDigestJson(digest, 'hook')).toEqual({
      version: '1',
      receiver: 'hook',
      kind: 'digest',
      digest,
    });
    const prepared = prepareDigest(digest, 'hook');
    expect(prepared.json).toEqual(renderDigestJson(digest, 'hook'));
    expect(prepared.slack).toEqual(renderDigestSlack(digest));
    expect(prepared.text).toBe(renderDigestText(digest));
  });
});
