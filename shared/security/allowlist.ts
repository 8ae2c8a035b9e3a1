import * as z from '../zod';
import { SEVERITIES, type Severity } from '../alert/alert';
import { globToRegExp } from '../routing/matcher';
import type { AlertDraft } from '../sources/types';
import { type CidrBlock, cidrContains, parseCidr, parseIp } from './cidr';

/**
 * The `security:` section of klaxon.yml (schema, compiled form) and the allowlist check. Entries
 * carry a reason and an optional expiry; expired entries stop applying on their own. Klaxon's own
 * role is always excluded, so its remediations never trigger a detection (loop prevention).
 */

const expires = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'an ISO date (2026-06-30, valid through that day UTC) or date-time with offset',
});

const reason = z.string().check(z.trim(), z.minLength(1, 'say why this entry exists'));

const cidrText = z
  .string()
  .check(z.refine((text) => parseCidr(text) !== undefined, 'an IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24'));

/**
 * Builds the `security:` schema. Given the catalog's detection ids (`npm run validate`, the deploy
 * scripts), ids outside them are refused; without, any id passes, so that the functions' config
 * loader need not bundle the detection catalog.
 */
export function securityConfigSchemaFor(detectionIds?: ReadonlySet<string>) {
  const detectionId = z.string().check(
    z.superRefine((id, ctx) => {
      if (detectionIds && !detectionIds.has(id)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown detection "${id}" (see shared/security/catalog.ts)`,
        });
      }
    }),
  );
  const scope = {
    reason,
    expires: z.optional(expires),
    /** Restricts the entry to these detections (default: every detection). */
    detections: z.optional(z.array(detectionId).check(z.minLength(1))),
  };

  return z.strictObject({
    detections: z.prefault(
      z.strictObject({
        /** `all` (default) or the ids to run. */
        enabled: z._default(z.union([z.literal('all'), z.array(detectionId).check(z.minLength(1))]), 'all'),
        disabled: z._default(z.array(detectionId), []),
        /** Per-detection severity overrides of the catalog's severity. */
        severity: z._default(z.record(z.string(), z.enum(SEVERITIES)), {}).check(
          z.superRefine((map, ctx) => {
            for (const id of Object.keys(map)) {
              if (detectionIds && !detectionIds.has(id))
                ctx.addIssue({ code: 'custom', path: [id], message: `unknown detection "${id}"` });
            }
          }),
        ),
      }),
      {},
    ),
    allowlist: z.prefault(
      z.strictObject({
        principals: z._default(
          z.array(
            z.strictObject({
              arn: z.string().check(z.minLength(1, 'an ARN or ARN glob (* and ?)')),
              ...scope,
            }),
          ),
          [],
        ),
        cidrs: z._default(z.array(z.strictObject({ cidr: cidrText, ...scope })), []),
        accounts: z._default(
          z.array(
            z.strictObject({
              account: z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')),
              ...scope,
            }),
          ),
          [],
        ),
      }),
      {},
    ),
    failedLogins: z.prefault(
      z.strictObject({
        threshold: z._default(z.number().check(z.int(), z.gte(1), z.lte(1000)), 10),
        windowMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(1440)), 6),
      }),
      {},
    ),
    /** ARN globs of Klaxon's own roles (remediation, responder); their calls never raise a detection. */
    ownRoleArns: z._default(z.array(z.string().check(z.minLength(1))), []),
  });
}

/** The `security:` section as the functions parse it (detection ids were checked at build time). */
export const securityConfigSchema = securityConfigSchemaFor();

/** The `security:` section as written. */
export type SecurityConfigInput = z.input<typeof securityConfigSchema>;

/** What an allowlist entry tests. */
export interface AllowlistSubject {
  detection?: string;
  /** The acting principal's ARN (assumed-role session ARN for roles). */
  principal?: string;
  /** The role behind an assumed-role session (`sessionContext.sessionIssuer.arn`). */
  sessionIssuer?: string;
  sourceIp?: string;
  account?: string;
}

interface CompiledEntry {
  kind: 'principal' | 'cidr' | 'account';
  text: string;
  reason: string;
  expiresAt?: number;
  detections?: ReadonlySet<string>;
  test: (subject: AllowlistSubject) => boolean;
}

/** The `security:` section validated and compiled (globs and CIDRs compiled once, at load). */
export interface SecurityConfig {
  detections: {
    enabled: 'all' | ReadonlySet<string>;
    disabled: ReadonlySet<string>;
    severity: ReadonlyMap<string, Severity>;
  };
  allowlist: readonly CompiledEntry[];
  failedLogins: { threshold: number; windowMs: number };
  ownRoles: ReadonlyArray<{ text: string; test: (subject: AllowlistSubject) => boolean }>;
}

/** Why a subject is allowlisted. */
export interface AllowlistMatch {
  kind: 'own-role' | 'principal' | 'cidr' | 'account';
  entry: string;
  reason: string;
}

const DAY_MS = 86_400_000;

function expiryMillis(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // A bare date stays valid through that whole day (UTC).
  return text.length === 10 ? Date.parse(`${text}T00:00:00Z`) + DAY_MS : Date.parse(text);
}

const ROLE_GLOB = /^arn:([^:]+):iam::([^:]+):role\/(?:.*\/)?([^/]+)$/;

/**
 * Compiles a principal glob. A role ARN glob also covers the role's sessions
 * (`arn:aws:sts::<acct>:assumed-role/<name>/*`), for records that lack `sessionIssuer`.
 */
function principalTest(text: string): (subject: AllowlistSubject) => boolean {
  const globs = [globToRegExp(text)];
  const role = ROLE_GLOB.exec(text);
  if (role) globs.push(globToRegExp(`arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/*`));
  return (subject) =>
    globs.some(
      (glob) =>
        (subject.principal !== undefined && glob.test(subject.principal)) ||
        (subject.sessionIssuer !== undefined && glob.test(subject.sessionIssuer)),
    );
}

function cidrTest(block: CidrBlock): (subject: AllowlistSubject) => boolean {
  return (subject) => {
    const ip = subject.sourceIp === undefined ? undefined : parseIp(subject.sourceIp);
    return ip !== undefined && cidrContains(block, ip);
  };
}

/** Validates and compiles the `security:` section; throws the zod error (the config loader reports paths). */
export function compileSecurityConfig(input: unknown): SecurityConfig {
  const parsed = securityConfigSchema.parse(input ?? {});
  const scoped = (entry: { reason: string; expires?: string; detections?: string[] }) => ({
    reason: entry.reason,
    expiresAt: expiryMillis(entry.expires),
    detections: entry.detections ? new Set(entry.detections) : undefined,
  });
  const allowlist: CompiledEntry[] = [
    ...parsed.allowlist.principals.map((e) => ({
      kind: 'principal' as const,
      text: e.arn,
      ...scoped(e),
      test: principalTest(e.arn),
    })),
    ...parsed.allowlist.cidrs.map((e) => {
      const block = parseCidr(e.cidr);
      if (!block) throw new Error(`unreachable: CIDR ${e.cidr} passed validation but does not parse`);
      return { kind: 'cidr' as const, text: e.cidr, ...scoped(e), test: cidrTest(block) };
    }),
    ...parsed.allowlist.accounts.map((e) => ({
      kind: 'account' as const,
      text: e.account,
      ...scoped(e),
      test: (subject: AllowlistSubject) => subject.account === e.account,
    })),
  ];
  return {
    detections: {
      enabled: parsed.detections.enabled === 'all' ? 'all' : new Set(parsed.detections.enabled),
      disabled: new Set(parsed.detections.disabled),
      severity: new Map(Object.entries(parsed.detections.severity)),
    },
    allowlist,
    failedLogins: {
      threshold: parsed.failedLogins.threshold,
      windowMs: parsed.failedLogins.windowMinutes * 60_000,
    },
    ownRoles: parsed.ownRoleArns.map((text) => ({ text, test: principalTest(text) })),
  };
}

/** The allowlist subject of a CloudTrail alert draft (its labels). */
export function allowlistSubject(draft: AlertDraft): AllowlistSubject {
  const { labels } = draft;
  return {
    detection: labels.detection,
    principal: labels.principal,
    sessionIssuer: labels.sessionIssuer,
    sourceIp: labels.sourceIp,
    account: labels.account,
  };
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** True when `principal` is `roleArn` or a session of it (`…:assumed-role/<name>/<session>`). */
function isSessionOf(roleArn: string, subject: AllowlistSubject): boolean {
  if (subject.sessionIssuer === roleArn || subject.principal === roleArn) return true;
  const match = ROLE_ARN.exec(roleArn);
  if (!match || subject.principal === undefined) return false;
  const [, partition, account, name] = match;
  return subject.principal.startsWith(`arn:${partition}:sts::${account}:assumed-role/${name}/`);
}

/**
 * Whether a detection's subject is allowlisted at `now`: Klaxon's own role first (the runtime role
 * ARNs passed in, and `ownRoleArns` globs), then principal, CIDR and account entries that have not
 * expired and cover the detection. Returns why, or undefined.
 */
export function isAllowlisted(
  subject: AllowlistSubject | AlertDraft,
  config: SecurityConfig,
  now: Date,
  ownRoleArns: readonly string[] = [],
): AllowlistMatch | undefined {
  const s: AllowlistSubject = 'labels' in subject ? allowlistSubject(subject) : subject;
  const own = ownRoleArns.find((arn) => isSessionOf(arn, s));
  if (own) return { kind: 'own-role', entry: own, reason: "Klaxon's own role" };
  const ownGlob = config.ownRoles.find((role) => role.test(s));
  if (ownGlob) return { kind: 'own-role', entry: ownGlob.text, reason: "Klaxon's own role (ownRoleArns)" };
  const at = now.getTime();
  for (const entry of config.allowlist) {
    if (entry.expiresAt !== undefined && at >= entry.expiresAt) continue;
    if (entry.detections && (s.detection === undefined || !entry.detections.has(s.detection))) continue;
    if (entry.test(s)) return { kind: entry.kind, entry: entry.text, reason: entry.reason };
  }
  return undefined;
}
