/**
 * The approval endpoint's role may touch only some state-table keys (dynamodb:LeadingKeys, from
 * deploy/function-roles.cjs). Here Remediator.approve runs against the state table on moto_server,
 * through a DynamoDB client that records every partition key it reads or writes, and each key must
 * match one of the role's patterns. A key the approval path starts to use fails this test.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Remediator } from '../../shared/remediation/remediator';
import { silentObserver } from '../../shared/observability/observer';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { type MotoServer, startMoto } from '../support/moto';
import { decisionOf, FakeRunCommand, instanceAlert, remediationConfig } from '../unit/remediation/support';

interface Statement {
  Sid: string;
  Action: string[];
  Condition?: { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } };
}

const require = createRequire(import.meta.url);
const roles = require('../../deploy/function-roles.cjs') as {
  rolesFor(
    context: unknown,
  ): Record<string, { Properties: { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } }>;
  readContext(settings: { stage: string; tracing: boolean }): unknown;
};

const CONFIG = remediationConfig(`
remediation:
  maxConcurrent: 2
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['systemctl restart nginx']
    mode: approve
`);

/** The role's LeadingKeys patterns (IAM StringLike: `*` any run, `?` one character) as expressions. */
function approvalKeyPatterns(): RegExp[] {
  const statements = roles.rolesFor(roles.readContext({ stage: 't', tracing: true })).RemediatorRole
    ?.Properties.Policies[0]?.PolicyDocument.Statement;
  const dynamo = (statements ?? []).filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
  expect(dynamo).toHaveLength(1);
  const patterns = dynamo[0]?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [];
  expect(patterns.length).toBeGreaterThan(0);
  return patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('')}$`,
      ),
  );
}

/** A state store whose client records every partition key of every request. */
function recordingStore(table: string): { store: DynamoStateStore; keys: string[] } {
  const keys: string[] = [];
  const client = new DynamoDBClient({});
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } };
      const pk = input.Key?.pk?.S ?? input.Item?.pk?.S;
      if (pk) keys.push(pk);
      return next(args);
    },
    { step: 'initialize', name: 'recordPartitionKeys' },
  );
  return { store: new DynamoStateStore(client, table), keys };
}

let moto: MotoServer;
let restoreEnv: () => void;

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = useMotoEnv(moto.endpoint);
}, 60_000);

afterAll(async () => {
  restoreEnv();
  await moto.stop();
});

describe("the approval endpoint's state-table keys", () => {
  it('stay within its role: approving, approving again, and a start that fails', async () => {
    await createStateTable('approval-keys');
    const now = () => new Date(Date.UTC(2026, 2, 14, 9, 45, 13));
    // The pending decision is made by a pipeline function (its own role, not checked here).
    const pipeline = new Remediator({
      config: CONFIG,
      observer: silentObserver,
      now,
      store: new DynamoStateStore(new DynamoDBClient({}), 'approval-keys'),
      runCommand: new FakeRunCommand(),
      ownAccount: '123456789012',
    });
    const pendingIds: string[] = [];
    for (const n of [1, 2]) {
      const pending = await pipeline.consider(
        decisionOf(instanceAlert(n, { InstanceId: `i-0a1b2c3d4e5f6789${n}` })),
        {
          mode: 'deliver',
        },
      );
      expect(pending.remediation?.outcome).toBe('pending-approval');
      pendingIds.push(pending.remediation?.approvalId ?? '');
    }

    const { store, keys } = recordingStore('approval-keys');
    const runCommand = new FakeRunCommand();
    const endpoint = new Remediator({ config: CONFIG, observer: silentObserver, now, store, runCommand });
    expect(await endpoint.approve(pendingIds[0] ?? '', 'alice')).toMatchObject({ outcome: 'started' });
    expect((await endpoint.approve(pendingIds[0] ?? '', 'bob')).reason).toMatch(/already approved by alice/);
    runCommand.fail = 1;
    expect(await endpoint.approve(pendingIds[1] ?? '', 'carol')).toMatchObject({ outcome: 'skipped' });

    const patterns = approvalKeyPatterns();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !patterns.some((p) => p.test(key)))).toEqual([]);
    // The paths above did read and write each kind of item.
    for (const prefix of [
      'record#remediation#',
      'record#remediation-breaker#',
      'record#remediation-execution#',
      'events#remediation-starts',
      'events#remediation-starts-on#',
      'lease#remediation-slot#',
      'lease#remediation-approval#',
    ])
      expect(
        keys.some((key) => key.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  it('let exactly one of several racing approvals start one execution (conditional writes on DynamoDB)', async () => {
    await createStateTable('approval-race');
    const now = () => new Date(Date.UTC(2026, 2, 14, 9, 45, 13));
    const store = new DynamoStateStore(new DynamoDBClient({}), 'approval-race');
    const runCommand = new FakeRunCommand();
    const deps = {
      config: CONFIG,
      observer: silentObserver,
      now,
      store,
      runCommand,
      ownAccount: '123456789012',
    };
    const pending = await new Remediator(deps).consider(decisionOf(instanceAlert(7)), { mode: 'deliver' });
    const id = pending.remediation?.approvalId ?? '';
    // One Remediator per approver, as separate Lambda invocations would be.
    const results = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'alice'].map((who) => new Remediator(deps).approve(id, who)),
    );
    expect(results.filter((r) => r.outcome === 'started' && !r.alreadyApproved)).toHaveLength(1);
    expect(runCommand.sent).toHaveLength(1);
  });
});
