import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RemediationStartError, SsmAutomationAdapter } from '../../../shared/remediation/ssm';
import { normalizeRecord } from '../../../shared/sources/registry';
import { fixture } from '../../support/fixtures';

const ssm = mockClient(SSMClient);

afterEach(() => ssm.reset());
// Unit test files share one process: put SSMClient#send back for the files that run after this one.
afterAll(() => ssm.restore());

describe('SsmAutomationAdapter (aws-sdk-client-mock: moto has no Automation)', () => {
  it('starts the runbook with the ClientToken, one at a time, and returns the execution id', async () => {
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-123' });
    const adapter = new SsmAutomationAdapter(new SSMClient({ region: 'us-east-1' }));
    const id = await adapter.start({
      document: 'AWS-RestartEC2Instance',
      parameters: { InstanceId: ['i-0a1b2c3d4e5f67890'] },
      clientToken: '5a1f7c3e-1b2d-5e4f-8a9b-0c1d2e3f4a5b',
    });
    expect(id).toBe('exec-123');
    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input).toEqual({
      DocumentName: 'AWS-RestartEC2Instance',
      Parameters: { InstanceId: ['i-0a1b2c3d4e5f67890'] },
      ClientToken: '5a1f7c3e-1b2d-5e4f-8a9b-0c1d2e3f4a5b',
      Mode: 'Auto',
      MaxConcurrency: '1',
      MaxErrors: '0',
    });
  });

  it('reports a refused start as a named error that is safe to log', async () => {
    ssm.on(StartAutomationExecutionCommand).rejects(
      Object.assign(new Error('Execution is not allowed'), {
        name: 'AutomationDefinitionNotFoundException',
      }),
    );
    const adapter = new SsmAutomationAdapter(new SSMClient({ region: 'us-east-1' }));
    const error = await adapter
      .start({ document: 'AWS-RestartEC2Instance', parameters: {}, clientToken: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemediationStartError);
    expect((error as Error).message).toBe(
      'StartAutomationExecution failed: AutomationDefinitionNotFoundException: Execution is not allowed',
    );
  });

  it('reads the status and failure message of an execution', async () => {
    ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: 'exec-123' }).resolves({
      AutomationExecution: { AutomationExecutionStatus: 'Failed', FailureMessage: 'Step "stop" timed out' },
    });
    const adapter = new SsmAutomationAdapter(new SSMClient({ region: 'us-east-1' }));
    expect(await adapter.status('exec-123')).toEqual({ status: 'Failed', failure: 'Step "stop" timed out' });
  });
});

describe('SSM status-change normalizer', () => {
  const record = (path: string) =>
    normalizeRecord({ kind: 'eventbridge', index: 0, event: fixture(path) } as never);

  it('turns a final Automation status into a remediation-status alert', () => {
    const result = record('ssm/eventbridge-automation-execution-success.json');
    expect(result.kind).toBe('alerts');
    if (result.kind !== 'alerts') return;
    expect(result.drafts[0]).toMatchObject({
      labels: {
        source: 'klaxon',
        kind: 'remediation-status',
        executionId: '4f9a2c1e-8b7d-4e3a-9c6b-2d1e0f9a8b7c',
        executionType: 'automation',
        document: 'AWS-RestartEC2Instance',
        executionStatus: 'Success',
        executionResult: 'succeeded',
      },
      transitionId: 'klaxon:remediation:4f9a2c1e-8b7d-4e3a-9c6b-2d1e0f9a8b7c:Success',
    });
  });

  it('maps Command statuses (kebab-case) and failures', () => {
    const command = record('ssm/eventbridge-command-success.json');
    expect(command.kind === 'alerts' && command.drafts[0]?.labels.executionId).toBe(
      '0b3c5d7e-9f1a-4b2c-8d3e-5f6a7b8c9d0e',
    );
    const failed = record('ssm/eventbridge-automation-execution-failed.json');
    expect(failed.kind === 'alerts' && failed.drafts[0]?.labels.executionResult).toBe('failed');
  });

  it('ignores statuses that are not final', () => {
    expect(record('ssm/eventbridge-automation-execution-in-progress.json')).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/InProgress: only final statuses/),
    });
  });
});
