import { spawnSync } from 'node:child_process';

/** Environment of every measured child: what Lambda provides, dummy credentials, no tracing. */
export function lambdaEnv(functionName: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_LAMBDA_FUNCTION_NAME: `klaxon-bench-${functionName}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    _X_AMZN_TRACE_ID: 'Root=1-65f2c5a3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'Klaxon',
    LOG_LEVEL: 'INFO',
    KLAXON_SSM_PREFIX: '/klaxon/bench',
    // What the heartbeat and self-check need to build their dependencies (no call is made). No state
    // table or queue: the log-bytes run executes the pipeline and must not reach AWS.
    KLAXON_STAGE: 'bench',
    KLAXON_ALARM_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:klaxon-bench-alarms',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Child script: time `require(bundle)` (and, when exported, the first-use `deployedDeps()`) with hrtime. */
const LOAD_SCRIPT = `
const t0 = process.hrtime.bigint();
const mod = require(process.argv[1]);
const t1 = process.hrtime.bigint();
let initMs = null;
if (typeof mod.deployedDeps === 'function') {
  const a = process.hrtime.bigint();
  mod.deployedDeps();
  initMs = Number(process.hrtime.bigint() - a) / 1e6;
}
process.stdout.write('\\n@@bench ' + JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, initMs }) + '\\n', () => process.exit(0));
`;

export function loadOnce(file: string, env: NodeJS.ProcessEnv): { loadMs: number; initMs: number | null } {
  const child = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, file], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const line = child.stdout?.split('\n').find((l) => l.startsWith('@@bench '));
  if (child.status !== 0 || !line) {
    throw new Error(`loading ${file} failed (exit ${child.status}):\n${child.stderr}${child.stdout}`);
  }
  return JSON.parse(line.slice('@@bench '.length)) as { loadMs: number; initMs: number | null };
}
