import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import { loadConfig } from '../../../shared/config/yaml';
import type { SnsPublish } from '../../../shared/receivers/context';
import { EMAIL_LIMITS, renderEmailAlert, renderEmailGroup } from '../../../shared/receivers/email/render';
import { createReceiver } from '../../../shared/receivers/factory';
import { LocalSecretResolver } from '../../../shared/secrets/secrets';
import { manualClock, testAlert } from '../../support/delivery-fakes';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:oncall-email';

function alert(overrides: Partial<Alert> = {}): Alert {
  return testAlert(1, {
    severity: 'error',
    labels: {
      source: 'cloudwatch-alarm',
      account: '123456789012',
      region: 'us-east-1',
      alarmName: 'api-5xx',
      state: 'ALARM',
      previousState: 'OK',
    },
    annotations: {
      summary: 'API 5xx above 5%',
      reason: 'Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0).',
      runbookUrl: 'https://wiki.example.com/runbooks/api-5xx',
      consoleUrl: 'https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/api-5xx',
    },
    ...overrides,
  });
}

function email(publishImpl?: SnsPublish, topicArn: string | undefined = TOPIC) {
  const published: Array<{
    topicArn: string;
    subject: string;
    message: string;
    options?: { perProtocol?: boolean };
  }> = [];
  const publish: SnsPublish = async (arn, subject, message, options) => {
    published.push({ topicArn: arn, subject, message, options });
    await publishImpl?.(arn, subject, message, options);
  };
  const receiver = createReceiver(
    'team-mail',
    { type: 'email', ...(topicArn ? { topicArn } : {}), subjectPrefix: '[prod] ' },
    {
      secrets: new LocalSecretResolver({}),
      post: async () => ({ status: 200, headers: new Headers(), body: '' }),
      clock: manualClock(),
      consoleSink: () => {},
      publish,
    },
  );
  return { receiver, published };
}

function assertSubject(subject: string) {
  expect(subject.length).toBeLessThan(EMAIL_LIMITS.subject);
  expect(subject).toMatch(/^[\x20-\x7e]+$/);
}

describe('the email renderer', () => {
  it('writes a readable subject and a plain-text body with the facts and links', () => {
    const { subject, messages } = renderEmailAlert(alert(), 'team-mail');
    expect(subject).toBe('[ERROR] api-5xx');
    expect(messages.email).toContain('FIRING (error): api-5xx');
    expect(messages.email).toContain('State:       OK -> ALARM');
    expect(messages.email).toContain('  Runbook: https://wiki.example.com/runbooks/api-5xx');
    expect(messages.email).not.toMatch(/^\s*[{[]/);
    expect(JSON.parse(messages.default)).toMatchObject({
      version: '1',
      status: 'firing',
      fingerprint: alert().fingerprint,
    });
  });

  it('says RESOLVED in the subject of a resolve', () => {
    expect(renderEmailAlert(alert({ status: 'resolved' }), 'm').subject).toBe('[RESOLVED] api-5xx');
  });

  it('keeps the subject one ASCII line under 100 characters whatever the alarm is called', () => {
    const name = `Überlast\r\nBcc: victim@example.com ${'名'.repeat(300)}`;
    const { subject } = renderEmailAlert(
      alert({ labels: { ...alert().labels, alarmName: name } }),
      'm',
      '[prod] ',
    );
    assertSubject(subject);
    expect(subject.startsWith('[prod] [ERROR] _berlast__Bcc')).toBe(true);
  });

  it('fits a 300 KB alert in one SNS message (256 KB) with both renderings', () => {
    const huge = '滞'.repeat(300_000);
    const { subject, messages } = renderEmailAlert(
      alert({
        annotations: {
          summary: huge,
          reason: huge,
          description: huge,
          runbookUrl: 'https://wiki.example.com/r',
        },
      }),
      'm',
    );
    assertSubject(subject);
    expect(Buffer.byteLength(JSON.stringify(messages))).toBeLessThanOrEqual(EMAIL_LIMITS.messageBytes);
    expect(messages.email).toContain('Runbook: https://wiki.example.com/r');
    expect(() => JSON.parse(messages.default) as unknown).not.toThrow();
  });

  it('sends a storm of 2,000 alerts as one digest email that lists 100 and counts the rest', () => {
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      testAlert(i, {
        annotations: { summary: `ALARM ${i}`, consoleUrl: `https://console.aws.amazon.com/x/${i}` },
      }),
    );
    const { subject, messages } = renderEmailGroup(
      { route: 'mail', labels: { service: 'api' }, status: 'firing', alerts },
      'm',
    );
    expect(subject).toBe('[FIRING] 2000 alerts: service=api');
    expect(messages.email).toContain('...and 1900 more.');
    expect(messages.email).toContain('https://console.aws.amazon.com/x/99');
    expect(Buffer.byteLength(JSON.stringify(messages))).toBeLessThanOrEqual(EMAIL_LIMITS.messageBytes);
  });
});

describe('the email receiver', () => {
  it('publishes one message per protocol: text for email, the JSON document for the rest', async () => {
    const { receiver, published } = email();
    expect(await receiver.send(alert())).toMatchObject({ outcome: 'delivered', type: 'email' });
    expect(published).toHaveLength(1);
    const [call] = published;
    expect(call?.options).toEqual({ perProtocol: true });
    expect(call?.topicArn).toBe(TOPIC);
    expect(call?.subject).toBe('[prod] [ERROR] api-5xx');
    const structure = JSON.parse(call?.message ?? '') as Record<string, string>;
    expect(Object.keys(structure).sort()).toEqual(['default', 'email']);
    expect(structure.email).toContain('FIRING (error): api-5xx');
  });

  it('sends a group as one publish and the digest as text', async () => {
    const { receiver, published } = email();
    await receiver.sendGroup?.({ route: 'r', labels: {}, status: 'firing', alerts: [alert(), testAlert(2)] });
    await receiver.sendPrepared?.({ slack: {}, json: {}, text: 'Klaxon digest for Monday\n\n3 alarms' });
    expect(published.map((p) => p.subject)).toEqual([
      '[prod] [FIRING] 2 alerts: r',
      '[prod] Klaxon digest for Monday',
    ]);
  });

  it('fails without a topic, and tells a missing topic from throttling', async () => {
    expect(await email(undefined, '').receiver.send(alert())).toMatchObject({
      outcome: 'failed',
      retryable: false,
    });
    const notFound = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
    const fail = (error: Error) => email(async () => Promise.reject(error)).receiver.send(alert());
    expect(await fail(notFound)).toMatchObject({ outcome: 'failed', retryable: false });
    expect(await fail(throttled)).toMatchObject({ outcome: 'failed', retryable: true });
  });

  it('previews the subject and both renderings', () => {
    expect(email().receiver.preview(alert())).toMatchObject({
      topicArn: TOPIC,
      messageStructure: 'json',
      subject: '[prod] [ERROR] api-5xx',
    });
  });

  it('refuses a subject prefix with a line break', () => {
    expect(() =>
      loadConfig(`
receivers:
  mail: { type: email, topicArn: ${TOPIC}, subjectPrefix: "a\\nBcc: x" }
route: { receiver: mail }
`),
    ).toThrow('receivers.mail.subjectPrefix: printable ASCII');
  });
});

describe('the email receiver at deploy time', () => {
  it("grants sns:Publish on an email receiver's topic, as on an sns receiver's", () => {
    const require = createRequire(import.meta.url);
    const { snsReceiverTopics } = require('../../../deploy/events.cjs') as {
      snsReceiverTopics(file: string): string[];
    };
    const file = join(mkdtempSync(join(tmpdir(), 'klaxon-email-')), 'klaxon.yml');
    writeFileSync(
      file,
      `receivers:
  mail: { type: email, topicArn: ${TOPIC} }
  ops: { type: sns, topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' }
  chat: { type: teams, webhookUrl: { ssm: teams } }
route: { receiver: mail }
`,
    );
    expect(snsReceiverTopics(file)).toEqual([TOPIC, 'arn:aws:sns:us-east-1:123456789012:ops']);
  });
});
