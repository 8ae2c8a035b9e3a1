import { ConfigError } from '../shared/errors';
import { LiveDeliveryError } from '../shared/replay/live';
import { UsageError } from './preview';
import { UnreadablePathError } from './replay';

/** Exit codes with a meaning scripts can rely on (docs/cli.md). */
export const EXIT = { ok: 0, failure: 1, usage: 2, unreadable: 3, badConfig: 4, aws: 5 } as const;

/** How a failure is shown: an exit code and one or two lines (what went wrong, how to fix it). */
export interface FailureReport {
  code: number;
  lines: string[];
}

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);
const PERMISSIONS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
]);
const MISSING = new Set([
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NotFound',
  'NotFoundException',
  'ParameterNotFound',
  'ResourceNotFound',
]);

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.slice(0, 300) ?? '';
}

/** Whether `error` came from the AWS SDK (a service answer, or no credentials or region). */
export function isAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    '$metadata' in error ||
    CREDENTIALS.has(error.name) ||
    (error.name === 'Error' && /region is missing/i.test(error.message))
  );
}

/** The AWS SDK error behind `error`, following `cause` (a StateStoreError wraps one). */
function awsCause(error: unknown): Error | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (isAwsError(current)) return current;
    current = current.cause;
  }
  return undefined;
}

function awsFailure(error: Error): FailureReport {
  const what = `${error.name}: ${firstLine(error.message)}`;
  if (CREDENTIALS.has(error.name) || /region is missing/i.test(error.message)) {
    return {
      code: EXIT.aws,
      lines: [
        `klaxon: no usable AWS credentials or region (${what})`,
        'fix: set AWS_PROFILE (or run `aws sso login`) and AWS_REGION, or pass --region; check with `aws sts get-caller-identity`.',
      ],
    };
  }
  if (PERMISSIONS.has(error.name)) {
    return {
      code: EXIT.aws,
      lines: [
        `klaxon: AWS refused the call (${what})`,
        'fix: use credentials whose policy allows the actions this verb lists in its --help (docs/iam.md).',
      ],
    };
  }
  if (MISSING.has(error.name)) {
    return {
      code: EXIT.aws,
      lines: [
        `klaxon: not found in this account and region (${what})`,
        'fix: check --stage and --region name a deployed stage (`serverless deploy --stage <stage>`), and the id or name you gave.',
      ],
    };
  }
  return {
    code: EXIT.aws,
    lines: [
      `klaxon: AWS call failed (${what})`,
      'fix: check --stage, --region and your credentials, then retry.',
    ],
  };
}

/** Turns any failure of a verb into an exit code and one or two lines; the stack only with `debug`. */
export function describeFailure(error: unknown, debug = false): FailureReport {
  const report = classify(error);
  if (debug && error instanceof Error && error.stack)
    return { ...report, lines: [...report.lines, error.stack] };
  return report;
}

function classify(error: unknown): FailureReport {
  if (error instanceof ConfigError) return { code: EXIT.badConfig, lines: [error.message] };
  if (error instanceof UsageError) return { code: EXIT.usage, lines: [error.message] };
  if (error instanceof UnreadablePathError)
    return { code: EXIT.unreadable, lines: [`klaxon: ${error.message}`] };
  if (error instanceof LiveDeliveryError) return { code: EXIT.failure, lines: [`klaxon: ${error.message}`] };
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    return {
      code: EXIT.usage,
      lines: [`klaxon: ${firstLine(error.message)}`, 'fix: see klaxon <verb> --help'],
    };
  }
  const aws = awsCause(error);
  if (aws) return awsFailure(aws);
  const fsError = error as NodeJS.ErrnoException;
  if (fsError instanceof Error && typeof fsError.code === 'string' && typeof fsError.path === 'string') {
    return {
      code: EXIT.unreadable,
      lines: [
        `klaxon: cannot use ${fsError.path} (${fsError.code})`,
        'fix: give a path to a file or directory you may read or write.',
      ],
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    code: EXIT.failure,
    lines: [
      `klaxon: unexpected failure: ${e.name}: ${firstLine(e.message)}`,
      'run again with --debug for the stack trace',
    ],
  };
}
