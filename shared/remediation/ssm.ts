import {
  GetAutomationExecutionCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';

/**
 * The two ways Klaxon starts a remediation, as ports (the domain never sees the SDK) and their SSM
 * adapters. moto serves Run Command but not Automation, so the Automation adapter is tested with
 * aws-sdk-client-mock and Run Command against moto_server.
 */

/** Starting and reading SSM Automation executions. */
export interface SsmAutomation {
  /** Starts a runbook; the same `clientToken` never starts a second execution. Returns the execution id. */
  start(input: {
    document: string;
    parameters: Record<string, string[]>;
    clientToken: string;
  }): Promise<string>;
  /** The execution's status and, when it failed, why. */
  status(executionId: string): Promise<{ status: string; failure?: string }>;
}

/** Sending a Command document to instances (Run Command) and reading one invocation. */
export interface RunCommand {
  /** Sends the document to exactly these instances, one at a time, stopping at the first error. Returns the command id. */
  send(input: {
    document: string;
    instanceIds: string[];
    parameters: Record<string, string[]>;
    comment: string;
  }): Promise<string>;
  /** The status of the command on one instance. */
  invocation(commandId: string, instanceId: string): Promise<{ status: string; output?: string }>;
}

/** A remediation could not be started; the message is safe to log. */
export class RemediationStartError extends Error {
  override readonly name = 'RemediationStartError';
}

function startError(what: string, error: unknown): RemediationStartError {
  const e = error as Error;
  return new RemediationStartError(`${what} failed: ${e.name}: ${(e.message ?? '').slice(0, 300)}`, {
    cause: error,
  });
}

/** The SSM Automation adapter (StartAutomationExecution, GetAutomationExecution). */
export class SsmAutomationAdapter implements SsmAutomation {
  constructor(private readonly client: SSMClient) {}

  async start(input: {
    document: string;
    parameters: Record<string, string[]>;
    clientToken: string;
  }): Promise<string> {
    let executionId: string | undefined;
    try {
      const result = await this.client.send(
        new StartAutomationExecutionCommand({
          DocumentName: input.document,
          Parameters: input.parameters,
          ClientToken: input.clientToken,
          Mode: 'Auto',
          MaxConcurrency: '1',
          MaxErrors: '0',
        }),
      );
      executionId = result.AutomationExecutionId;
    } catch (error) {
      throw startError('StartAutomationExecution', error);
    }
    if (!executionId) throw new RemediationStartError('StartAutomationExecution returned no execution id');
    return executionId;
  }

  async status(executionId: string): Promise<{ status: string; failure?: string }> {
    const result = await this.client.send(
      new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }),
    );
    const execution = result.AutomationExecution;
    return {
      status: execution?.AutomationExecutionStatus ?? 'Unknown',
      ...(execution?.FailureMessage ? { failure: execution.FailureMessage.slice(0, 500) } : {}),
    };
  }
}

/** The Run Command adapter (SendCommand, GetCommandInvocation). */
export class RunCommandAdapter implements RunCommand {
  constructor(private readonly client: SSMClient) {}

  async send(input: {
    document: string;
    instanceIds: string[];
    parameters: Record<string, string[]>;
    comment: string;
  }): Promise<string> {
    let commandId: string | undefined;
    try {
      const result = await this.client.send(
        new SendCommandCommand({
          DocumentName: input.document,
          InstanceIds: input.instanceIds,
          Parameters: input.parameters,
          Comment: input.comment.slice(0, 100),
          MaxConcurrency: '1',
          MaxErrors: '0',
        }),
      );
      commandId = result.Command?.CommandId;
    } catch (error) {
      throw startError('SendCommand', error);
    }
    if (!commandId) throw new RemediationStartError('SendCommand returned no command id');
    return commandId;
  }

  async invocation(commandId: string, instanceId: string): Promise<{ status: string; output?: string }> {
    const result = await this.client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    return {
      status: result.Status ?? 'Unknown',
      ...(result.StandardOutputContent ? { output: result.StandardOutputContent.slice(0, 2000) } : {}),
    };
  }
}
