import { StateStoreError } from '../errors';
import { finish } from './audit';
import { parameterProblem } from './catalog';
import type { RemediationRule } from './config';
import type { RemediationContext } from './context';
import {
  hourlyCapReached,
  isBenignFailure,
  recordResult,
  releaseSlot,
  resourceCapReached,
  ruleCapReached,
  takeSlot,
} from './guards';
import { checkCatalog, Skip } from './plan';
import {
  AUDIT_TTL_SECONDS,
  decisionOf,
  executionKey,
  type RemediationDecision,
  type RemediationRecord,
} from './record';

/**
 * The hourly caps (the rule's, the target resource's, the global one) and the concurrency cap, then the start itself. `final`: a cap refusal ends the
 * decision (auto mode); otherwise (an approval) the remediation stays pending.
 */
export async function launch(
  context: RemediationContext,
  record: RemediationRecord,
  rule: RemediationRule,
  final: boolean,
): Promise<RemediationDecision> {
  const store = context.store();
  const { maxConcurrent } = context.config.remediation;
  const now = context.nowMs();
  const refuse = async (reason: string): Promise<RemediationDecision> => {
    if (record.cooldownKey && final) await store.releaseLease(record.cooldownKey, record.token);
    if (final) return finish(context, record, { outcome: 'skipped', reason });
    return decisionOf(record, { reason });
  };
  const resource = record.parameters[rule.action.resourceParameter] ?? '';
  const capped =
    (await ruleCapReached(context, rule, now)) ??
    (await resourceCapReached(context, resource, now)) ??
    (await hourlyCapReached(context, now));
  if (capped) return refuse(capped);
  const slot = await takeSlot(context, record.token, now);
  if (slot === undefined) {
    return refuse(
      `concurrency cap: ${maxConcurrent} executions are still running (remediation.maxConcurrent)`,
    );
  }
  let executionId: string;
  try {
    executionId = await start(context, rule, record.parameters, record.token);
  } catch (error) {
    await releaseSlot(context, slot, record.token);
    if (error instanceof Skip) return finish(context, record, { outcome: 'skipped', reason: error.message });
    if (error instanceof StateStoreError) throw error;
    const reason = `start failed: ${(error as Error).message}`;
    const benign = isBenignFailure((error as Error).message);
    const tripped = benign ? undefined : await recordResult(context, rule.name, false);
    return finish(context, record, {
      outcome: 'skipped',
      reason: tripped ? `${reason}; ${tripped}` : reason,
    });
  }
  await store.saveRecord(executionKey(executionId), { token: record.token }, now, {
    ttlSeconds: AUDIT_TTL_SECONDS,
  });
  return finish(context, record, { outcome: 'started', executionId, slot, startedAt: now });
}

/** The document allowlist, part 2, and the SSM call. Same token, same execution. */
async function start(
  context: RemediationContext,
  rule: RemediationRule,
  parameters: Record<string, string>,
  token: string,
): Promise<string> {
  checkCatalog(rule);
  const spec = rule.action;
  if (!context.enabled.has(spec.name)) {
    throw new Skip(`document ${spec.name} is not enabled by klaxon.yml: never started`);
  }
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = spec.parameters[name];
    const problem = parameter ? parameterProblem(parameter, value) : `not declared by ${spec.name}`;
    if (problem) throw new Skip(`parameter ${name}: ${problem}`);
  }
  const { automation, runCommand } = context.deps;
  if (spec.kind === 'automation') {
    if (!automation) throw new Skip('no SSM Automation client is configured');
    return automation.start({
      document: spec.name,
      parameters: Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, [value]])),
      clientToken: token,
    });
  }
  if (!runCommand) throw new Skip('no Run Command client is configured');
  const { InstanceId: instanceId, ...rest } = parameters;
  if (!instanceId || !rule.commands) throw new Skip('Run Command needs an instance and fixed commands');
  return runCommand.send({
    document: spec.name,
    instanceIds: [instanceId],
    // The commands come from klaxon.yml only; event data can at most pick the (validated) instance.
    parameters: {
      commands: [...rule.commands],
      ...Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, [value]])),
    },
    comment: `klaxon ${rule.name} ${token}`,
  });
}
