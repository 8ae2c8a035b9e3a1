import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/yaml';
import { isRecord } from '../../shared/json';
import { silentObserver } from '../../shared/observability/observer';
import { processEvent } from '../../shared/pipeline';
import { createReceivers, systemClock } from '../../shared/receivers/factory';
import { LocalSecretResolver } from '../../shared/secrets/secrets';
import { splitEnvelope } from '../../shared/sources/envelope';
import { normalizeRecord } from '../../shared/sources/registry';
import type { NormalizeResult } from '../../shared/sources/types';
import { REPO_ROOT, fixture, repoText } from '../support/fixtures';

/**
 * Field-level leniency (docs/sources-leniency.md): every fixture that makes alerts is fed again
 * with each optional field removed, given a value of the wrong type, an undocumented text value or
 * 300 KB of text, and with its Region replaced by one of a partition Klaxon has no console for and
 * by an unknown one. None of these may turn the event into `invalid`.
 */

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

/** The fields that identify an alert, per fixture folder, relative to the record's body. */
const IDENTITY: Readonly<Record<string, readonly string[]>> = {
  cloudtrail: ['eventSource', 'eventName', 'eventID'],
  guardduty: ['accountId', 'id', 'type'],
  securityhub: ['findings.0.Id', 'findings.0.ProductArn', 'findings.0.AwsAccountId'],
  'cloudwatch-alarm': [
    // SNS message
    'AlarmName',
    'NewStateValue',
    // EventBridge detail (state change and contributor)
    'alarmName',
    'state.value',
    'alarmContributor.id',
    // Direct alarm action
    'source',
    'alarmData.alarmName',
    'alarmData.state.value',
  ],
  health: ['eventArn', 'service', 'eventTypeCode', 'eventTypeCategory'],
  codedeploy: ['application', 'deploymentGroup', 'deploymentId', 'state'],
  ecs: ['eventName', 'deploymentId'],
  autoscaling: ['AutoScalingGroupName', 'ActivityId'],
  'cost-anomaly': ['anomalyId', 'impact.totalImpact', 'monitorArn', 'accountId'],
  ssm: ['ExecutionId', 'Definition', 'Status', 'command-id', 'document-name', 'status'],
};

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? fixtureFiles(join(dir, entry.name))
      : entry.name.endsWith('.json')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The body of the first record (SNS message, EventBridge detail, alarm-action payload) and how to put it back. */
function bodyOf(event: Json): { body: Json; rebuild: (body: Json) => Json } | undefined {
  const records = event.Records;
  if (Array.isArray(records)) {
    const [first] = records as Json[];
    const sns = first?.Sns as Json | undefined;
    if (!first || !sns || typeof sns.Message !== 'string') return undefined;
    const message: unknown = JSON.parse(sns.Message);
    if (!isRecord(message)) return undefined;
    return {
      body: message,
      rebuild: (body) => ({
        ...event,
        Records: [{ ...first, Sns: { ...sns, Message: JSON.stringify(body) } }],
      }),
    };
  }
  if (typeof event['detail-type'] === 'string' && isRecord(event.detail)) {
    return { body: event.detail, rebuild: (body) => ({ ...event, detail: body }) };
  }
  return { body: event, rebuild: (body) => body };
}

/** Paths of every field down to depth 3 (arrays: their first element). */
function paths(value: unknown, prefix: Path = [], depth = 0): Path[] {
  if (depth >= 3) return [];
  if (Array.isArray(value))
    return value.length > 0 ? [[...prefix, 0], ...paths(value[0], [...prefix, 0], depth + 1)] : [];
  if (!isRecord(value)) return [];
  return Object.keys(value).flatMap((key) => [
    [...prefix, key],
    ...paths(value[key], [...prefix, key], depth + 1),
  ]);
}

function isIdentity(path: Path, identity: readonly string[]): boolean {
  const text = path.join('.');
  return identity.some((id) => id === text || id.startsWith(`${text}.`));
}

function edited(
  body: Json,
  path: Path,
  change: (parent: Json | unknown[], key: string | number) => void,
): Json {
  const copy = structuredClone(body);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Json)[key as string];
  change(node as Json, path[path.length - 1] as string | number);
  return copy;
}

function outcome(event: unknown): NormalizeResult {
  const [record] = splitEnvelope(event);
  return record ? normalizeRecord(record) : { kind: 'ignored', reason: 'no record' };
}

const REGION_IN_TEXT = /\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?[a-z]+-\d\b/g;

const cases = fixtureFiles(join(REPO_ROOT, 'events'))
  .map((file) => relative(join(REPO_ROOT, 'events'), file))
  // Forged events (docs/threat-model.md) are built to be refused or distrusted, not to be read leniently.
  .filter((file) => !file.startsWith('unrecognized/') && !file.startsWith('forged/'))
  // An EventBridge event inside an SNS message is read by the normalizer of the direct event (covered there).
  .filter((file) => !file.startsWith('sns/sns-eventbridge-'))
  .map((file) => ({ file, folder: file.split('/')[0] ?? '', event: fixture(file) }))
  .filter(({ event }) => isRecord(event) && outcome(event).kind === 'alerts');

describe('field-level leniency of every normalizer', () => {
  it('covers every source that makes alerts', () => {
    expect(new Set(cases.map((c) => c.folder))).toEqual(
      new Set([
        'autoscaling',
        'cloudtrail',
        'cloudwatch-alarm',
        'codedeploy',
        'cost-anomaly',
        'ecs',
        'guardduty',
        'health',
        'securityhub',
        'ssm',
      ]),
    );
  });

  describe.each(cases)('$file', ({ file, folder, event }) => {
    // A payload whose alarm ARN is not one is placed by its account and Region: those then identify it.
    const identity = [
      ...(IDENTITY[folder] ?? []),
      ...(file.endsWith('bad-arn.json') ? ['accountId', 'region'] : []),
    ];
    const located = bodyOf(event as Json);
    if (!located) throw new Error('no body');
    const optional = paths(located.body).filter((path) => !isIdentity(path, identity));
    // A detection needs its fields: without them a CloudTrail call may rightly be ignored.
    const expected = folder === 'cloudtrail' ? ['alerts', 'ignored'] : ['alerts'];

    it('stays an alert with any optional field removed', () => {
      const invalid = optional.filter((path) => {
        const body = edited(located.body, path, (parent, key) => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key as string];
        });
        return !expected.includes(outcome(located.rebuild(body)).kind);
      });
      expect(invalid.map((p) => p.join('.'))).toEqual([]);
    });

    it('stays an alert with any optional field of an unexpected type or 300 KB long', () => {
      const huge = 'x'.repeat(300_000);
      const bad = optional.flatMap((path) =>
        [42, { unexpected: true }, ...(path.length === 1 ? [huge] : [])].flatMap((value) => {
          const body = edited(located.body, path, (parent, key) => {
            (parent as Json)[key as string] = value;
          });
          const result = outcome(located.rebuild(body));
          return result.kind === 'invalid'
            ? [`${path.join('.')}=${JSON.stringify(value).slice(0, 20)}: ${result.reason}`]
            : [];
        }),
      );
      expect(bad).toEqual([]);
    });

    it('stays an alert with any optional text field given a value AWS has not documented yet', () => {
      const unknown = optional.filter((path) => {
        let isText = false;
        const body = edited(located.body, path, (parent, key) => {
          const value = (parent as Json)[key as string];
          isText = typeof value === 'string';
          if (isText) (parent as Json)[key as string] = 'KLAXON_UNSEEN_VALUE_2031';
        });
        return isText && !expected.includes(outcome(located.rebuild(body)).kind);
      });
      expect(unknown.map((p) => p.join('.'))).toEqual([]);
    });

    it.each(['eusc-de-east-1', 'xx-anon-9'])(
      'stays an alert in Region %s, without a console link',
      (region) => {
        const text = JSON.stringify(event).replace(REGION_IN_TEXT, region);
        const result = outcome(JSON.parse(text));
        expect(result.kind).toBe('alerts');
        if (result.kind !== 'alerts') return;
        for (const draft of result.drafts) {
          // Health and Cost Anomaly Detection take the partition from an ARN without a Region.
          if (folder !== 'health' && folder !== 'cost-anomaly') expect(draft.partition).toBeUndefined();
          expect(JSON.stringify([draft.links, draft.annotations.consoleUrl ?? ''])).not.toContain(
            `${region}.console`,
          );
        }
      },
    );
  });
});

describe('the European Sovereign Cloud', () => {
  it('raises a StopLogging there as the critical alert it is anywhere, noting nothing unreadable', () => {
    const event = fixture('cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json');
    const text = JSON.stringify(event)
      .replace(REGION_IN_TEXT, 'eusc-de-east-1')
      .replaceAll('arn:aws:', 'arn:aws-eusc:');
    const result = outcome(JSON.parse(text));
    const home = outcome(event);
    expect(result.kind).toBe('alerts');
    if (result.kind !== 'alerts' || home.kind !== 'alerts') return;
    const decided = (drafts: typeof result.drafts) =>
      drafts.map((d) => [d.labels.detection, d.severityHint?.word]);
    expect(decided(result.drafts)).toEqual(decided(home.drafts));
    expect(decided(result.drafts)).toContainEqual(['cloudtrail-logging-disabled', 'critical']);
    for (const draft of result.drafts) {
      expect(draft.labels).toMatchObject({ region: 'eusc-de-east-1', eventName: 'StopLogging' });
      expect(draft.annotations.unreadable).toBeUndefined();
      expect(draft.links).toEqual([]);
    }
  });

  it('notes a Region that is not a Region code, and takes the envelope one', () => {
    const event = fixture('cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json') as Json;
    const result = outcome({ ...event, detail: { ...(event.detail as Json), awsRegion: 'EU (Frankfurt)' } });
    expect(result.kind).toBe('alerts');
    if (result.kind !== 'alerts') return;
    expect(result.drafts[0]?.labels.region).toBe(event.region);
    expect(result.drafts[0]?.annotations.unreadable).toMatch(/^field awsRegion \(/);
  });
});

describe('the FieldsUnreadable metric', () => {
  const config = loadConfig(repoText('klaxon.yml'));
  async function counted(event: unknown): Promise<string[]> {
    const counts: string[] = [];
    await processEvent(event, {
      config,
      receivers: createReceivers(config.receivers, {
        secrets: new LocalSecretResolver({}),
        post: async () => {
          throw new Error('no network');
        },
        clock: systemClock,
        consoleSink: () => {},
      }),
      mode: 'preview',
      observer: { ...silentObserver, count: (name, dims) => counts.push(`${name}${JSON.stringify(dims)}`) },
      now: () => new Date('2026-03-14T10:00:00Z'),
    });
    return counts.filter((c) => c.startsWith('FieldsUnreadable'));
  }

  it('counts an event with unreadable fields once, by source, however many alerts it makes', async () => {
    const event = fixture('cloudtrail/eventbridge-cloudtrail-logging-disabled-positive.json') as Json;
    const mangled = { ...event, detail: { ...(event.detail as Json), userAgent: 5, readOnly: 'no' } };
    expect(await counted(mangled)).toEqual(['FieldsUnreadable{"source":"cloudtrail"}']);
    expect(await counted(event)).toEqual([]);
  });

  it('alerts on each of 100 findings that all carry unreadable fields', () => {
    const event = fixture('securityhub/eventbridge-findings-imported-new.json') as {
      detail: { findings: Json[] };
    };
    const [finding] = event.detail.findings;
    const findings = Array.from({ length: 100 }, (_, i) => ({
      ...finding,
      Id: `${String(finding?.Id)}-${i}`,
      Severity: { Label: 'SEVERE' },
      Title: 7,
      Region: 'EU (Ireland)',
      Resources: [{ Type: 1, Id: 2 }],
    }));
    const result = outcome({ ...event, detail: { findings } });
    expect(result.kind === 'alerts' && result.drafts.length).toBe(100);
  });
});
