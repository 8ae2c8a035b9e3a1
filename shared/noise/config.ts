import * as z from '../zod';
import type { ConfigProblem } from '../errors';
import { labelNameSchema, type MatchInput, matchSchema } from '../config/primitives';
import type { RouteInput } from '../routing/config';
import { type CompiledMatcher, compileMatcher } from '../routing/matcher';
import { parseDuration } from './duration';
import { isTimeZone, WEEKDAYS, type Weekday } from './timezone';

const duration = z.string().check(
  z.refine((text) => parseDuration(text) !== undefined, {
    message: 'a duration such as 30m, 2h, 1d or 1h30m',
  }),
);
const clock = z
  .string()
  .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM (00:00–24:00)'));
const instant = z.iso.datetime({ offset: true });
const nonEmptyMatch = matchSchema.check(
  z.refine((match) => Object.keys(match).length > 0, {
    message: 'name at least one label: an empty match would mute everything',
  }),
);

/** The noise-control sections of klaxon.yml. */
export const noiseSchemas = {
  /** Static silences: always in force between startsAt and endsAt (either may be omitted). */
  silences: z._default(
    z.array(
      z.strictObject({
        id: z.optional(
          z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'silence ids are letters, digits, _ . -')),
        ),
        match: nonEmptyMatch,
        reason: z.string().check(z.minLength(1, 'say why')),
        createdBy: z.optional(z.string().check(z.minLength(1))),
        startsAt: z.optional(instant),
        endsAt: z.optional(instant),
      }),
    ),
    [],
  ),
  /** Recurring maintenance windows in a time zone, scoped by a match (everything when omitted). */
  maintenanceWindows: z._default(
    z.array(
      z.strictObject({
        name: z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'window names are letters, digits, _ . -')),
        timeZone: z
          .string()
          .check(z.refine(isTimeZone, { message: 'an IANA time zone such as Europe/Berlin' })),
        schedule: z
          .array(
            z.strictObject({
              days: z._default(z.array(z.enum(WEEKDAYS)).check(z.minLength(1)), [...WEEKDAYS]),
              start: clock,
              end: clock,
            }),
          )
          .check(z.minLength(1, 'give at least one recurring period')),
        match: z.optional(matchSchema),
        /** A receiver told at the end of each occurrence what the window suppressed. */
        summary: z.optional(z.string()),
      }),
    ),
    [],
  ),
  /** Alertmanager-style inhibition: a firing source mutes targets sharing the `equal` labels. */
  inhibit: z._default(
    z.array(
      z.strictObject({
        name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/))),
        source: z.strictObject({ match: nonEmptyMatch }),
        target: z.strictObject({ match: nonEmptyMatch }),
        equal: z._default(z.array(labelNameSchema), []),
        /** A source not seen firing for this long stops inhibiting (its OK may have been lost). */
        maxAge: z._default(duration, '24h'),
        /**
         * `inhibit` mutes the target; `annotate` delivers it with a note naming the source (e.g. "a
         * deployment of checkout is in progress"), for rules where context helps more than silence.
         */
        effect: z._default(z.enum(['inhibit', 'annotate']), 'inhibit'),
      }),
    ),
    [],
  ),
  /** Flap damping: more than `transitions` state changes within the window marks an alarm flapping. */
  flapping: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      transitions: z._default(z.number().check(z.int(), z.gte(2), z.lte(100)), 6),
      windowMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(1440)), 30),
    }),
    {},
  ),
  /** The per-event decision record kept in the state table (`klaxon explain <fingerprint>`). */
  decisionRecords: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      ttlDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(90)), 7),
      /** Records kept per fingerprint (the oldest are dropped). */
      keep: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 20),
    }),
    {},
  ),
};

type Schemas = typeof noiseSchemas;
/** The noise sections as parsed (defaults applied). */
export interface NoiseInput {
  silences: z.infer<Schemas['silences']>;
  maintenanceWindows: z.infer<Schemas['maintenanceWindows']>;
  inhibit: z.infer<Schemas['inhibit']>;
  flapping: z.infer<Schemas['flapping']>;
  decisionRecords: z.infer<Schemas['decisionRecords']>;
  route: RouteInput;
}

/** A silence, static (klaxon.yml) or ad hoc (state table). */
export interface Silence {
  id: string;
  matchers: MatchInput;
  reason: string;
  createdBy: string;
  /** Epoch ms; absent: since forever. */
  startsAt?: number;
  /** Epoch ms; absent: until removed from klaxon.yml. */
  endsAt?: number;
  origin: 'config' | 'table';
}

/** A maintenance window ready to evaluate. */
export interface CompiledWindow {
  name: string;
  timeZone: string;
  schedule: Array<{ days: Weekday[]; start: number; end: number }>;
  matcher: CompiledMatcher;
  summary?: string;
}

/** An inhibition rule ready to evaluate. */
export interface CompiledInhibitRule {
  name: string;
  source: CompiledMatcher;
  target: CompiledMatcher;
  equal: string[];
  maxAgeMs: number;
  effect: 'inhibit' | 'annotate';
}

/** Per-route repeat and resolve policy, by the route's config path (inherited by children). */
export interface RoutePolicy {
  repeatIntervalMs?: number;
  sendResolved: boolean;
}

/** Noise control compiled from klaxon.yml. */
export interface NoiseConfig {
  silences: Silence[];
  windows: CompiledWindow[];
  inhibit: CompiledInhibitRule[];
  flapping: NoiseInput['flapping'];
  decisionRecords: NoiseInput['decisionRecords'];
  routePolicies: ReadonlyMap<string, RoutePolicy>;
}

function minutes(clockText: string): number {
  const [h, m] = clockText.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Compiles the noise sections, collecting problems (paths into klaxon.yml) instead of throwing. */
export function compileNoise(
  input: NoiseInput,
  receiverNames: ReadonlySet<string>,
): { config: NoiseConfig; problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const ids = new Set<string>();
  const silences = input.silences.map((s, index): Silence => {
    const id = s.id ?? `config-${index}`;
    if (ids.has(id))
      problems.push({ path: `silences[${index}].id`, message: `duplicate silence id "${id}"` });
    ids.add(id);
    const startsAt = s.startsAt ? Date.parse(s.startsAt) : undefined;
    const endsAt = s.endsAt ? Date.parse(s.endsAt) : undefined;
    if (startsAt !== undefined && endsAt !== undefined && endsAt <= startsAt) {
      problems.push({ path: `silences[${index}].endsAt`, message: 'must be after startsAt' });
    }
    return {
      id,
      matchers: s.match,
      reason: s.reason,
      createdBy: s.createdBy ?? 'klaxon.yml',
      ...(startsAt !== undefined ? { startsAt } : {}),
      ...(endsAt !== undefined ? { endsAt } : {}),
      origin: 'config',
    };
  });
  const windowNames = new Set<string>();
  const windows = input.maintenanceWindows.map((w, index): CompiledWindow => {
    if (windowNames.has(w.name)) {
      problems.push({ path: `maintenanceWindows[${index}].name`, message: `duplicate window "${w.name}"` });
    }
    windowNames.add(w.name);
    if (w.summary !== undefined && !receiverNames.has(w.summary)) {
      problems.push({
        path: `maintenanceWindows[${index}].summary`,
        message: `unknown receiver "${w.summary}" (defined: ${[...receiverNames].join(', ') || 'none'})`,
      });
    }
    w.schedule.forEach((period, p) => {
      if (period.start === period.end) {
        problems.push({
          path: `maintenanceWindows[${index}].schedule[${p}]`,
          message: 'start and end are equal: the period would be empty',
        });
      }
    });
    if (!w.match || Object.keys(w.match).length === 0) {
      warnings.push({
        path: `maintenanceWindows[${index}].match`,
        message: `window "${w.name}" has no match: it mutes every alert, pages included, while open`,
      });
    }
    return {
      name: w.name,
      timeZone: w.timeZone,
      schedule: w.schedule.map((period) => ({
        days: period.days,
        start: minutes(period.start),
        end: minutes(period.end),
      })),
      matcher: compileMatcher(w.match),
      ...(w.summary ? { summary: w.summary } : {}),
    };
  });
  const inhibit = input.inhibit.map((rule, index): CompiledInhibitRule => ({
    name: rule.name ?? `inhibit[${index}]`,
    source: compileMatcher(rule.source.match),
    target: compileMatcher(rule.target.match),
    equal: rule.equal,
    maxAgeMs: parseDuration(rule.maxAge) ?? 86_400_000,
    effect: rule.effect,
  }));
  const routePolicies = new Map<string, RoutePolicy>();
  const walk = (node: RouteInput, path: string, inherited: RoutePolicy) => {
    const repeat = node.repeatInterval === undefined ? undefined : parseDuration(node.repeatInterval);
    if (node.repeatInterval !== undefined && repeat === undefined) {
      problems.push({ path: `${path}.repeatInterval`, message: 'a duration such as 30m, 4h or 1d' });
    } else if (repeat !== undefined && repeat < 5 * 60_000) {
      problems.push({ path: `${path}.repeatInterval`, message: 'at least 5m (repeats are scheduled jobs)' });
    }
    const policy: RoutePolicy = {
      sendResolved: node.sendResolved ?? inherited.sendResolved,
      ...(repeat !== undefined || inherited.repeatIntervalMs !== undefined
        ? { repeatIntervalMs: repeat ?? inherited.repeatIntervalMs }
        : {}),
    };
    routePolicies.set(path, policy);
    (node.routes ?? []).forEach((child, index) => walk(child, `${path}.routes[${index}]`, policy));
  };
  walk(input.route, 'route', { sendResolved: true });
  return {
    config: {
      silences,
      windows,
      inhibit,
      flapping: input.flapping,
      decisionRecords: input.decisionRecords,
      routePolicies,
    },
    problems,
    warnings,
  };
}

/** An empty noise configuration (nothing muted, flapping and records on with defaults). */
export function defaultNoiseConfig(): NoiseConfig {
  return {
    silences: [],
    windows: [],
    inhibit: [],
    flapping: { enabled: true, transitions: 6, windowMinutes: 30 },
    decisionRecords: { enabled: true, ttlDays: 7, keep: 20 },
    routePolicies: new Map(),
  };
}
