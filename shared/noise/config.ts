import { z } from 'zod';
import type { ConfigProblem } from '../errors';
import { labelNameSchema, type MatchInput, matchSchema } from '../config/primitives';
import type { RouteInput } from '../routing/config';
import { type CompiledMatcher, compileMatcher } from '../routing/matcher';
import { parseDuration } from './duration';
import { isTimeZone, WEEKDAYS, type Weekday } from './timezone';

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'a duration such as 30m, 2h, 1d or 1h30m',
});
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM (00:00–24:00)');
const instant = z.iso.datetime({ offset: true });
const nonEmptyMatch = matchSchema.refine((match) => Object.keys(match).length > 0, {
  message: 'name at least one label: an empty match would mute everything',
});

/** The noise-control sections of klaxon.yml. */
export const noiseSchemas = {
  /** Static silences: always in force between startsAt and endsAt (either may be omitted). */
  silences: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/, 'silence ids are letters, digits, _ . -')
          .optional(),
        match: nonEmptyMatch,
        reason: z.string().min(1, 'say why'),
        createdBy: z.string().min(1).optional(),
        startsAt: instant.optional(),
        endsAt: instant.optional(),
      }),
    )
    .default([]),
  /** Recurring maintenance windows in a time zone, scoped by a match (everything when omitted). */
  maintenanceWindows: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'window names are letters, digits, _ . -'),
        timeZone: z.string().refine(isTimeZone, { message: 'an IANA time zone such as Europe/Berlin' }),
        schedule: z
          .array(
            z.strictObject({
              days: z
                .array(z.enum(WEEKDAYS))
                .min(1)
                .default([...WEEKDAYS]),
              start: clock,
              end: clock,
            }),
          )
          .min(1, 'give at least one recurring period'),
        match: matchSchema.optional(),
        /** A receiver told at the end of each occurrence what the window suppressed. */
        summary: z.string().optional(),
      }),
    )
    .default([]),
  /** Alertmanager-style inhibition: a firing source mutes targets sharing the `equal` labels. */
  inhibit: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/)
          .optional(),
        source: z.strictObject({ match: nonEmptyMatch }),
        target: z.strictObject({ match: nonEmptyMatch }),
        equal: z.array(labelNameSchema).default([]),
        /** A source not seen firing for this long stops inhibiting (its OK may have been lost). */
        maxAge: duration.default('24h'),
        /**
         * `inhibit` mutes the target; `annotate` delivers it with a note naming the source (e.g. "a
         * deployment of checkout is in progress"), for rules where context helps more than silence.
         */
        effect: z.enum(['inhibit', 'annotate']).default('inhibit'),
      }),
    )
    .default([]),
  /** Flap damping: more than `transitions` state changes within the window marks an alarm flapping. */
  flapping: z
    .strictObject({
      enabled: z.boolean().default(true),
      transitions: z.number().int().min(2).max(100).default(6),
      windowMinutes: z.number().int().min(1).max(1440).default(30),
    })
    .prefault({}),
  /** The per-event decision record kept in the state table (`klaxon explain <fingerprint>`). */
  decisionRecords: z
    .strictObject({
      enabled: z.boolean().default(true),
      ttlDays: z.number().int().min(1).max(90).default(7),
      /** Records kept per fingerprint (the oldest are dropped). */
      keep: z.number().int().min(1).max(100).default(20),
    })
    .prefault({}),
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
