import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderKnownEvents, renderSources } from '../../scripts/generate-sources';
import { matchesPattern } from '../../shared/security/pattern';
import { splitEnvelope } from '../../shared/sources/envelope';
import { EVERY_SOURCE, normalizeRecord, SOURCES } from '../../shared/sources/registry';
import { buildSourcesFile, type SourcesFile } from '../../shared/sources/rules';
import { eventBridgeKey, knownEventsOf, sourceRegistry } from '../../shared/sources/normalizer';
import type { SourceDescriptor } from '../../shared/sources/descriptor';
import { fixture, REPO_ROOT, repoText } from '../support/fixtures';

const require = createRequire(import.meta.url);
const onDisk = JSON.parse(repoText('deploy/sources.json')) as SourcesFile;
const routes = SOURCES.flatMap((descriptor) =>
  descriptor.eventBridge.map((route) => ({ descriptor, route })),
);

/** An EventBridge event of a source and detail-type, with a detail the normalizers can read or reject. */
function event(source: string, detailType: string, detail: unknown = {}) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-03-14T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

function only(raw: unknown) {
  const [record] = splitEnvelope(raw);
  if (!record) throw new Error('no record');
  return normalizeRecord(record);
}

describe('shared/sources/known-events.json', () => {
  it('is exactly what the generator makes from the descriptors (run npx tsx scripts/generate-sources.ts)', async () => {
    expect(repoText('shared/sources/known-events.json')).toBe(await renderKnownEvents());
  });

  it('names the source of every event the full registry normalizes, as its alerts name it', () => {
    const known = knownEventsOf(SOURCES);
    for (const { descriptor, route } of routes) {
      for (const detailType of route.detailTypes) {
        const key =
          known.eventBridge[eventBridgeKey(route.source, detailType)] ?? known.anySource[detailType];
        expect(key, `${route.source} ${detailType}`).toBe(descriptor.key ?? descriptor.label);
      }
    }
    // A CloudTrail API call of a service no route lists is known by its detail-type.
    expect(known.anySource['AWS API Call via CloudTrail']).toBe('cloudtrail');
    expect(known.eventBridge['aws.ssm|EC2 Command Status-change Notification']).toBe(
      'klaxon:remediation-status',
    );
  });

  it('makes a narrowed registry name a known source it does not carry, and report an unknown one', () => {
    const onlyHealth = sourceRegistry(
      SOURCES.filter((d) => d.id === 'health'),
      knownEventsOf(SOURCES),
    );
    expect(
      onlyHealth.normalizeRecord({
        kind: 'eventbridge',
        index: 0,
        event: event('aws.ecs', 'ECS Deployment State Change'),
      }),
    ).toMatchObject({
      kind: 'ignored',
      foreign: { key: 'ecs' },
    });
    const unknown = onlyHealth.normalizeRecord({
      kind: 'eventbridge',
      index: 0,
      event: event('aws.braket', 'Braket Task State Change'),
    });
    expect(unknown).toMatchObject({ kind: 'ignored', notice: 'unsupported event' });
    expect(unknown).not.toHaveProperty('foreign');
    // Without the table, nothing is foreign: the registry reports what it does not carry.
    const alone = sourceRegistry(SOURCES.filter((d) => d.id === 'health'));
    expect(
      alone.normalizeRecord({
        kind: 'eventbridge',
        index: 0,
        event: event('aws.ecs', 'ECS Deployment State Change'),
      }),
    ).toMatchObject({
      kind: 'ignored',
      notice: 'unsupported event',
    });
  });
});

describe('deploy/sources.json', () => {
  it('is exactly what the generator makes from the descriptors (run npx tsx scripts/generate-sources.ts)', async () => {
    expect(repoText('deploy/sources.json')).toBe(await renderSources());
  });

  it('filters every generated pattern on the AWS sources of its routes, never on detail-type alone', () => {
    const patterns = [
      onDisk.eventPatterns.alarmStateChanges,
      onDisk.eventPatterns.informational,
      ...onDisk.remediationStatus.map((rule) => rule.pattern),
    ];
    for (const pattern of patterns) {
      const sources = pattern.source as string[];
      expect(sources.length, JSON.stringify(pattern)).toBeGreaterThan(0);
      for (const source of sources) expect(source).toMatch(/^aws\.[a-z0-9-]+$/);
      expect((pattern['detail-type'] as string[]).length).toBeGreaterThan(0);
    }
  });

  it('delivers every route of a rule through that rule, and nothing a rule leaves out', () => {
    const { alarmStateChanges, informational } = onDisk.eventPatterns;
    for (const { descriptor, route } of routes) {
      for (const detailType of route.detailTypes) {
        const sample = event(route.source, detailType);
        const where = `${descriptor.id}: ${route.source} ${detailType}`;
        expect(matchesPattern(alarmStateChanges, sample), where).toBe(route.rule === 'alarm-state-changes');
        expect(matchesPattern(informational, sample), where).toBe(route.rule === 'informational');
      }
    }
    // Lifecycle hooks and configuration changes are registered (ignored with a reason) but not subscribed.
    expect(
      EVERY_SOURCE.eventBridgeNormalizers.get('aws.autoscaling|EC2 Instance-launch Lifecycle Action'),
    ).toBeDefined();
    expect(
      matchesPattern(informational, event('aws.autoscaling', 'EC2 Instance-launch Lifecycle Action')),
    ).toBe(false);
    expect(
      matchesPattern(alarmStateChanges, event('aws.cloudwatch', 'CloudWatch Alarm Configuration Change')),
    ).toBe(false);
  });

  it('takes a new informational descriptor into the informational pattern, with its AWS source', () => {
    const example: SourceDescriptor = {
      id: 'example',
      label: 'ecs',
      informational: true,
      eventBridge: [
        {
          source: 'aws.example',
          detailTypes: ['Example Happened'],
          normalize: () => ({ kind: 'ignored', reason: 'example' }),
          rule: 'informational',
        },
      ],
    };
    const generated = buildSourcesFile([...SOURCES, example]);
    expect(generated.eventPatterns.informational).toEqual({
      source: [...(onDisk.eventPatterns.informational.source as string[]), 'aws.example'],
      'detail-type': [...(onDisk.eventPatterns.informational['detail-type'] as string[]), 'Example Happened'],
    });
    expect(generated.eventPatterns.alarmStateChanges).toEqual(onDisk.eventPatterns.alarmStateChanges);
  });

  it('lists the informational sources the informational descriptors label', () => {
    expect(onDisk.informationalSources).toEqual([
      'aws-health',
      'codedeploy',
      'ecs',
      'autoscaling',
      'cost-anomaly',
    ]);
    const informational = SOURCES.filter((d) => d.informational);
    for (const descriptor of informational) {
      expect(descriptor.eventBridge.every((r) => r.rule === undefined || r.rule === 'informational')).toBe(
        true,
      );
    }
  });

  it('keeps in the SSM status rules exactly the statuses the normalizer reports', () => {
    expect(onDisk.remediationStatus.map((rule) => rule.documentKind)).toEqual(['automation', 'run-command']);
    const samples = {
      automation: (status: string) => ({
        ExecutionId: 'x-1',
        Definition: 'AWS-RestartEC2Instance',
        Status: status,
      }),
      'run-command': (status: string) => ({
        'command-id': 'c-1',
        'document-name': 'AWS-RunShellScript',
        status,
      }),
    };
    for (const rule of onDisk.remediationStatus) {
      const [source] = rule.pattern.source as string[];
      const [detailType] = rule.pattern['detail-type'] as string[];
      const detail = rule.pattern.detail as Record<string, string[]>;
      const [statuses = []] = Object.values(detail);
      for (const status of [...statuses, 'InProgress', 'Pending']) {
        const raw = event(source ?? '', detailType ?? '', samples[rule.documentKind](status));
        const kept = matchesPattern(rule.pattern, raw);
        expect(kept, `${rule.documentKind} ${status}`).toBe(statuses.includes(status));
        expect(only(raw).kind, `${rule.documentKind} ${status}`).toBe(kept ? 'alerts' : 'ignored');
      }
    }
  });
});

describe('deploy files reading deploy/sources.json', () => {
  it('gives the dashboard one informational series per informational source', () => {
    const dashboard = require('../../deploy/dashboard.cjs') as { INFORMATIONAL_SOURCES: string[] };
    expect(dashboard.INFORMATIONAL_SOURCES).toEqual(onDisk.informationalSources);
  });
});

describe('the source registry', () => {
  it('has one descriptor per folder of shared/sources, each with its source.ts', () => {
    const folders = readdirSync(join(REPO_ROOT, 'shared/sources'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(SOURCES.map((d) => d.id).sort()).toEqual(folders);
    for (const id of folders)
      expect(existsSync(join(REPO_ROOT, 'shared/sources', id, 'source.ts')), id).toBe(true);
  });

  it('gives every source|detail-type to exactly one route', () => {
    const keys = routes.flatMap(({ route }) => route.detailTypes.map((t) => `${route.source}|${t}`));
    expect(new Set(keys).size).toBe(keys.length);
    expect([...EVERY_SOURCE.eventBridgeNormalizers.keys()].sort()).toEqual([...keys].sort());
  });

  it('picks the normalizer from the descriptors: EventBridge, SNS shapes, alarm actions', () => {
    expect(only(fixture('health/eventbridge-health-event-issue-open.json'))).toMatchObject({
      kind: 'alerts',
      drafts: [{ labels: { source: 'aws-health' } }],
    });
    expect(only(event('aws.example', 'Something Happened'))).toEqual({
      kind: 'ignored',
      reason:
        'no normalizer for EventBridge events of source "aws.example", detail-type "Something Happened"',
      notice: 'unsupported event',
    });
    // CloudTrail API calls of a service no route lists still reach the detection catalog.
    const unlisted = only(event('aws.example', 'AWS API Call via CloudTrail', { eventName: 'X' }));
    expect(unlisted).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^CloudTrail record: /),
    });
    const withSns = SOURCES.filter((d) => d.sns).map((d) => d.id);
    expect(withSns).toEqual(['heartbeat', 'cloudwatch-alarm', 'cost-anomaly']);
    expect(SOURCES.filter((d) => d.alarmAction).map((d) => d.id)).toEqual(['cloudwatch-alarm']);
  });
});
