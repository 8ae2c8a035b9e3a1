import { randomBytes } from 'node:crypto';
import type { MatchInput } from '../config/schema';
import { type CompiledMatcher, compileMatcher } from '../routing/matcher';
import type { StateStore } from '../state/store';
import type { Silence } from './config';

/** The state-table set holding ad-hoc silences (one row; silences are few). */
export const SILENCE_SET = 'silences';

/** Expired silences stay listed (and in the row) this long, then are pruned. */
const KEEP_EXPIRED_MS = 7 * 86_400_000;

const compiled = new WeakMap<Silence, CompiledMatcher>();

/** True when the silence is in force at `now` (start inclusive, end exclusive). */
export function silenceActive(silence: Silence, now: number): boolean {
  return (
    (silence.startsAt === undefined || silence.startsAt <= now) &&
    (silence.endsAt === undefined || now < silence.endsAt)
  );
}

/** True when every matcher of the silence holds for the labels. */
export function silenceMatches(
  silence: Silence,
  labels: Readonly<Record<string, string | undefined>>,
): boolean {
  let matcher = compiled.get(silence);
  if (!matcher) {
    matcher = compileMatcher(silence.matchers);
    compiled.set(silence, matcher);
  }
  return matcher.matches(labels);
}

/** Renders a silence's matchers as `alarmName=~"api-*", env="prod"`. */
export function describeMatchers(matchers: MatchInput): string {
  return compileMatcher(matchers).description;
}

/**
 * Parses `--match` arguments: `label=value` (glob with * and ?), `label=~regex`. Several for one
 * label make a list (any may match).
 */
export function parseMatchArgs(args: readonly string[]): MatchInput {
  const matchers: Record<string, Array<string | { regex: string }>> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0 || at === arg.length - 1)
      throw new Error(`--match "${arg}": expected label=value or label=~regex`);
    const label = arg.slice(0, at);
    if (!/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(label))
      throw new Error(`--match "${arg}": bad label name "${label}"`);
    const rest = arg.slice(at + 1);
    let value: string | { regex: string } = rest;
    if (rest.startsWith('~')) {
      try {
        new RegExp(rest.slice(1));
      } catch (error) {
        throw new Error(`--match "${arg}": ${(error as Error).message}`, { cause: error });
      }
      value = { regex: rest.slice(1) };
    }
    (matchers[label] ??= []).push(value);
  }
  return Object.fromEntries(
    Object.entries(matchers).map(([label, values]) => [
      label,
      values.length === 1 ? (values[0] as string) : values,
    ]),
  ) as MatchInput;
}

/** Ad-hoc silences in the state table: created and expired by `klaxon silence`, read by the pipeline. */
export class SilenceRepository {
  constructor(private readonly store: StateStore) {}

  /** Every stored silence (active, pending, and expired within the last week), oldest first. */
  async list(): Promise<Silence[]> {
    const members = await this.store.setMembers<Silence>(SILENCE_SET);
    return Object.values(members)
      .map((silence) => ({ ...silence, origin: 'table' as const }))
      .sort((a, b) => (a.startsAt ?? 0) - (b.startsAt ?? 0) || a.id.localeCompare(b.id));
  }

  /** Stores a new silence and returns it (with a fresh id). */
  async add(
    input: { matchers: MatchInput; reason: string; createdBy: string; startsAt: number; endsAt: number },
    now: number,
  ): Promise<Silence> {
    const silence: Silence = { id: `s-${randomBytes(4).toString('hex')}`, ...input, origin: 'table' };
    await this.store.putSetMember(SILENCE_SET, silence.id, silence, now, this.ttlSeconds(input.endsAt, now));
    for (const old of await this.list()) {
      if (old.endsAt !== undefined && old.endsAt < now - KEEP_EXPIRED_MS) {
        await this.store.removeSetMember(SILENCE_SET, old.id);
      }
    }
    return silence;
  }

  /** Ends a silence now; undefined when no silence has that id. Already expired: returned unchanged. */
  async expire(id: string, now: number): Promise<Silence | undefined> {
    const silence = (await this.list()).find((s) => s.id === id);
    if (!silence) return undefined;
    if (silence.endsAt !== undefined && silence.endsAt <= now) return silence;
    const ended: Silence = { ...silence, endsAt: now };
    await this.store.putSetMember(SILENCE_SET, id, ended, now, this.ttlSeconds(now, now));
    return ended;
  }

  private ttlSeconds(endsAt: number, now: number): number {
    return Math.ceil((Math.max(endsAt, now) - now + KEEP_EXPIRED_MS) / 1000) + 86_400 * 30;
  }
}
