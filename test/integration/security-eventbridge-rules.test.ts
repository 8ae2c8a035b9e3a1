/**
 * The generated rules, evaluated by a real EventBridge matcher: moto's EventBridge delivers
 * PutEvents to an SQS target. For every CloudTrail rule whose pattern stays on scalar fields for the
 * fixtures (all of them, by construction: array conditions live in the predicates), the set of
 * fixture events moto delivers must be exactly the set the in-TypeScript matcher says matches. So
 * every positive fixture reaches its detection's rule, and a negative that differs only in a scalar
 * field (eventName, errorCode, invokedBy, MFAUsed, userIdentity.type, authType…) does not.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTIONS } from '../../shared/security/catalog';
import { isScalarOnlyFor, matchesPattern } from '../../shared/security/pattern';
import { buildSecurityRules, type SecurityRule } from '../../shared/security/rules';
import { fixture, REPO_ROOT } from '../support/fixtures';
import { type MotoServer, startMoto } from '../support/moto';

interface Fixture {
  file: string;
  eventId: string;
  event: { source: string; 'detail-type': string; detail: { eventID: string } };
}

const FIXTURES: Fixture[] = readdirSync(join(REPO_ROOT, 'events', 'cloudtrail'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const event = fixture(`cloudtrail/${file}`) as Fixture['event'];
    return { file, event, eventId: event.detail.eventID };
  });

const RULES: SecurityRule[] = buildSecurityRules().rules.filter((r) => r.detections.length > 0);

let moto: MotoServer;
const delivered = new Map<string, Set<string>>();

beforeAll(async () => {
  moto = await startMoto();
  const options = {
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const events = new EventBridgeClient(options);
  const sqs = new SQSClient(options);
  const queues = new Map<string, string>();
  for (const [index, rule] of RULES.entries()) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `security-rule-${index}` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    if (!QueueUrl || !Attributes?.QueueArn) throw new Error('moto returned no queue');
    queues.set(rule.id, QueueUrl);
    // moto has no ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state; the state only gates delivery of read-only events in AWS.
    await events.send(
      new PutRuleCommand({
        Name: `klaxon-${index}`,
        EventPattern: JSON.stringify(rule.eventBridge.pattern),
        State: 'ENABLED',
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: `klaxon-${index}`,
        Targets: [{ Id: 'queue', Arn: Attributes.QueueArn }],
      }),
    );
  }
  for (let i = 0; i < FIXTURES.length; i += 10) {
    const batch = FIXTURES.slice(i, i + 10);
    const result = await events.send(
      new PutEventsCommand({
        Entries: batch.map(({ event }) => ({
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    expect(result.FailedEntryCount ?? 0).toBe(0);
  }
  for (const [ruleId, url] of queues) {
    const ids = new Set<string>();
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const body = JSON.parse(message.Body ?? '{}') as { detail?: { eventID?: string } };
        if (body.detail?.eventID) ids.add(body.detail.eventID);
      }
    }
    delivered.set(ruleId, ids);
  }
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe('generated EventBridge rules under moto', () => {
  it('every rule pattern is scalar-only for every fixture (array conditions live in predicates)', () => {
    for (const rule of RULES) {
      for (const { file, event } of FIXTURES)
        expect(isScalarOnlyFor(rule.eventBridge.pattern, event), `${rule.id} / ${file}`).toBe(true);
    }
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))(
    '%s delivers exactly what the TypeScript matcher matches',
    (_id, rule) => {
      const expected = FIXTURES.filter(({ event }) => matchesPattern(rule.eventBridge.pattern, event)).map(
        (f) => f.file,
      );
      const actual = FIXTURES.filter((f) => delivered.get(rule.id)?.has(f.eventId)).map((f) => f.file);
      expect(actual).toEqual(expected);
    },
  );

  it('delivers every positive fixture to its detection’s rule', () => {
    for (const detection of DETECTIONS) {
      const rule = RULES.find((r) => r.detections.includes(detection.id));
      const positives = FIXTURES.filter((f) => f.file.startsWith(`eventbridge-${detection.id}-positive`));
      expect(positives.length, detection.id).toBeGreaterThan(0);
      for (const positive of positives)
        expect(delivered.get(rule?.id ?? '')?.has(positive.eventId), positive.file).toBe(true);
    }
  });
});
