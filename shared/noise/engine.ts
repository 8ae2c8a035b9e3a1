import { createHash } from 'node:crypto';
import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { type DeliveryJob, queuedAlert } from '../delivery/jobs';
import type { DeliveryQueue } from '../delivery/queue';
import { StateStoreError } from '../errors';
import type { PipelineObserver } from '../observability/observer';
import type { DeliveryResult } from '../receivers/types';
import { redactedExcerpt } from '../redact';
import type { Decision } from '../routing/decide';
import type { AlertDraft } from '../sources/types';
import type { StateStore } from '../state/store';
import type { CompiledInhibitRule, Silence } from './config';
import { formatDuration } from './duration';
import { type DecisionRecord, type SuppressionKind, traceRoutes } from './record';
import { SilenceRepository, silenceActive, silenceMatches } from './silences';
import { openOccurrence } from './windows';

/** The pipeline's noise stage: runs after decide, may suppress, and records the decision once delivered. */
export interface NoiseStage {
  apply(
    decision: Decision,
    draft: AlertDraft,
    mode: 'deliver' | 'preview',
  ): Promise<(deliveries: readonly DeliveryResult[]) => Promise<void>>;
}

/** What the noise stage runs over. */
export interface NoiseDeps {
  config: KlaxonConfig;
  /** The state table; absent (or in preview mode) only static silences, windows and in-run inhibition apply. */
  store?: StateStore;
  /** The retry queue, for follow-up jobs (mute ended, repeat, flap settled); absent: none are scheduled. */
  queue?: DeliveryQueue;
  observer: PipelineObserver;
  now: () => Date;
  /** How long ad-hoc silences read from the table are reused, in ms (default 15 s; 0: read every time). */
  silenceCacheMs?: number;
}

/** One reason an alert is muted right now. */
export interface Mute {
  kind: Extract<SuppressionKind, 'silence' | 'window' | 'inhibition'>;
  /** Identity of the mute occurrence: `silence:<id>`, `window:<name>#<end>`, `inhibit:<rule>#<labels>`. */
  key: string;
  reason: string;
  by: string;
  /** When it ends, if known (silences with an end, window occurrences). */
  until?: number;
  summaryReceiver?: string;
}

/** What Klaxon remembers about an alert's latest transition (`record#alert#<fingerprint>`). */
export interface AlertState {
  status: Alert['status'];
  transitionId: string;
  at: number;
  alert: Alert;
  /** Receivers the routes chose, whether or not it was delivered. */
  receivers: string[];
  groups: Decision['groups'];
  notified: boolean;
  repeat?: { intervalMs: number; receivers: string[] };
}

interface FlapState {
  since: number;
  lastAt: number;
  transitions: number;
  settled: boolean;
}

interface FiringSource {
  alarmName?: string;
  /** The source alert's summary, quoted by `annotate` rules. */
  summary?: string;
  at: number;
  expiresAt: number;
}

/** A member of a mute set: an alert the mute held back. */
interface MutedMember {
  at: number;
  status: Alert['status'];
  severity: Alert['severity'];
  summary: string;
}

type NoiseJob = Extract<DeliveryJob, { kind: 'noise' }>;

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The labels routes, silences and windows match on: the alert's labels plus severity and status. */
export function matchLabels(alert: Alert): Record<string, string> {
  return { ...alert.labels, severity: alert.severity, status: alert.status };
}

/**
 * Silences, maintenance windows, inhibition, flap damping, repeats and the resolve policy, plus
 * the decision record. Stateless decisions (static silences, windows, inhibition by alerts seen in
 * this process) work without a store, which makes replays deterministic under an injected clock.
 */
export class NoiseEngine implements NoiseStage {
  /** Decision records of this process (preview mode, or no state table): `klaxon explain <event file>`. */
  readonly records: DecisionRecord[] = [];
  private readonly localSources = new Map<string, Map<string, FiringSource>>();
  private silenceCache?: { at: number; silences: Silence[] };

  constructor(private readonly deps: NoiseDeps) {}

  private get noise() {
    return this.deps.config.noise;
  }

  async apply(
    decision: Decision,
    draft: AlertDraft,
    mode: 'deliver' | 'preview',
  ): Promise<(deliveries: readonly DeliveryResult[]) => Promise<void>> {
    const now = this.deps.now().getTime();
    const store = mode === 'deliver' ? this.deps.store : undefined;
    const alert = decision.alert;
    const labels = matchLabels(alert);
    const record = this.newRecord(decision, draft, mode, now);
    const wouldReceive = [...decision.receivers];
    // A point event never resolves, so it would hold a mute (or a note) until maxAge: never a source.
    if (!draft.pointEvent) await this.trackSources(alert, labels, now, store);
    const prior = store
      ? await this.guard('alert state', () => store.loadRecord<AlertState>(`alert#${alert.fingerprint}`))
      : undefined;
    let muted: Mute | undefined;
    let repeat: AlertState['repeat'];
    if (!decision.suppressed) {
      if (alert.status === 'resolved') this.applySendResolved(decision, record);
      // A resolve of something already notified always goes out: it closes the incident it opened.
      const resolvesNotified = alert.status === 'resolved' && prior?.status === 'firing' && prior.notified;
      if (!decision.suppressed && !resolvesNotified) {
        muted = (await this.mutesFor(alert, now, store))[0];
        if (muted) this.suppress(decision, record, muted.kind, muted.reason, muted.by);
      }
      if (
        !decision.suppressed &&
        store &&
        this.noise.flapping.enabled &&
        alert.labels.source === 'cloudwatch-alarm'
      ) {
        await this.flap(decision, record, now, store);
      }
      // A point event (a scaling activity, a cost anomaly) is over once told: nothing to repeat.
      if (!decision.suppressed && alert.status === 'firing' && !draft.pointEvent)
        repeat = this.repeatPolicy(decision);
      if (!decision.suppressed && alert.status === 'firing') {
        const context = await this.contextFor(alert, now, store);
        if (context.length > 0) {
          decision.alert = {
            ...decision.alert,
            annotations: { ...decision.alert.annotations, context: context.join('\n') },
          };
          record.context = context;
        }
      }
    }
    return async (deliveries) => {
      record.deliveries = deliveries.map((d) => ({
        receiver: d.receiver,
        outcome: d.outcome,
        ...(d.status !== undefined ? { status: d.status } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
      }));
      if (!store) {
        this.records.push(record);
        return;
      }
      const delivered = !decision.suppressed && decision.receivers.length > 0;
      const state: AlertState = {
        status: alert.status,
        transitionId: alert.transitionId,
        at: now,
        alert: queuedAlert(decision.alert),
        receivers: wouldReceive,
        groups: decision.groups,
        notified: delivered || (prior?.transitionId === alert.transitionId && prior.notified),
        ...(repeat ? { repeat } : {}),
      };
      await this.guard('save alert state', () => store.saveRecord(`alert#${alert.fingerprint}`, state, now));
      if (muted) await this.enlist(muted, alert, now, store);
      if (repeat && delivered) {
        await this.schedule(
          {
            kind: 'noise',
            action: 'repeat',
            key: alert.fingerprint,
            receiver: repeat.receivers[0] ?? '',
            dueAt: now + repeat.intervalMs,
            transitionId: alert.transitionId,
            count: 0,
          },
          now,
        );
      }
      await this.saveRecord(record, now, store);
    };
  }

  /** Every mute in force for the alert at `now`, silences first, then windows, then inhibition. */
  async mutesFor(alert: Alert, now: number, store: StateStore | undefined): Promise<Mute[]> {
    const labels = matchLabels(alert);
    const mutes: Mute[] = [];
    for (const silence of [...this.noise.silences, ...(await this.tableSilences(now, store))]) {
      if (silenceActive(silence, now) && silenceMatches(silence, labels)) {
        mutes.push({
          kind: 'silence',
          key: `silence:${silence.id}`,
          by: silence.id,
          reason: `silenced by ${silence.id}: ${silence.reason}`,
          ...(silence.endsAt !== undefined ? { until: silence.endsAt } : {}),
        });
      }
    }
    for (const window of this.noise.windows) {
      if (!window.matcher.matches(labels)) continue;
      const open = openOccurrence(window, now);
      if (open) {
        mutes.push({
          kind: 'window',
          key: `window:${window.name}#${open.end}`,
          by: window.name,
          reason: `maintenance window ${window.name} (${window.timeZone}) until ${new Date(open.end).toISOString()}`,
          until: open.end,
          ...(window.summary ? { summaryReceiver: window.summary } : {}),
        });
      }
    }
    for (const [index, rule] of this.noise.inhibit.entries()) {
      if (rule.effect !== 'inhibit' || !rule.target.matches(labels)) continue;
      const setKey = this.inhibitKey(index, rule, labels);
      const sources = await this.firingSources(setKey, now, store);
      const other = Object.entries(sources).find(([fingerprint]) => fingerprint !== alert.fingerprint);
      if (other) {
        mutes.push({
          kind: 'inhibition',
          key: `inhibit:${setKey}`,
          by: other[0],
          reason: `inhibited by ${other[1].alarmName ?? other[0]} (rule ${rule.name}${rule.equal.length ? `, equal ${rule.equal.join(', ')}` : ''})`,
        });
      }
    }
    return mutes;
  }

  /**
   * Notes from `annotate` rules whose source is firing for this alert: e.g. "during: Deployment
   * d-123 of checkout in progress", so the on-call sees the likely cause in the message itself.
   */
  async contextFor(alert: Alert, now: number, store: StateStore | undefined): Promise<string[]> {
    const labels = matchLabels(alert);
    const notes: string[] = [];
    for (const [index, rule] of this.noise.inhibit.entries()) {
      if (rule.effect !== 'annotate' || !rule.target.matches(labels)) continue;
      const sources = await this.firingSources(this.inhibitKey(index, rule, labels), now, store);
      for (const [fingerprint, source] of Object.entries(sources)) {
        if (fingerprint === alert.fingerprint) continue;
        const since = new Date(source.at).toISOString().slice(11, 16);
        notes.push(
          `during: ${source.summary ?? source.alarmName ?? fingerprint} (since ${since} UTC, rule ${rule.name})`,
        );
      }
    }
    return notes.slice(0, 5);
  }

  /** Runs a `noise` job from the retry queue. */
  async runJob(job: NoiseJob, dispatcher: Dispatcher): Promise<DeliveryResult | undefined> {
    const now = this.deps.now().getTime();
    const store = this.deps.store;
    if (!store) return undefined;
    if (job.dueAt > now + 1000) {
      await this.schedule(job, now);
      return undefined;
    }
    // A job acts on what the table says now (a silence may just have been expired).
    this.silenceCache = undefined;
    if (job.action === 'unmute') return this.unmute(job, dispatcher, store, now);
    if (job.action === 'repeat') return this.repeat(job, dispatcher, store, now);
    return this.settle(job, dispatcher, store, now);
  }

  private newRecord(
    decision: Decision,
    draft: AlertDraft,
    mode: 'deliver' | 'preview',
    now: number,
  ): DecisionRecord {
    const { alert } = decision;
    return {
      at: new Date(now).toISOString(),
      mode,
      fingerprint: alert.fingerprint,
      transitionId: alert.transitionId,
      arrived: { path: alert.path, excerpt: redactedExcerpt(JSON.stringify(draft.raw) ?? '', 400) },
      alert: {
        status: alert.status,
        severity: alert.severity,
        summary: alert.annotations.summary,
        labels: { ...alert.labels },
      },
      severitySource: decision.severitySource,
      routes: traceRoutes(this.deps.config.route, matchLabels(alert)),
      receivers: [...decision.receivers],
      skipped: [...decision.skipped],
      ...(decision.suppressed
        ? { suppressed: { kind: 'source' as const, reason: decision.suppressed } }
        : {}),
      deliveries: [],
    };
  }

  private suppress(
    decision: Decision,
    record: DecisionRecord,
    kind: SuppressionKind,
    reason: string,
    by?: string,
  ): void {
    decision.suppressed = reason;
    decision.receivers = [];
    record.suppressed = { kind, reason, ...(by ? { by } : {}) };
  }

  /** Drops receivers every one of whose routes says `sendResolved: false`. */
  private applySendResolved(decision: Decision, record: DecisionRecord): void {
    const selected = record.routes.filter((r) => r.selected);
    const keep = decision.receivers.filter((receiver) =>
      selected.some(
        (r) => r.receiver === receiver && this.noise.routePolicies.get(r.path)?.sendResolved !== false,
      ),
    );
    for (const receiver of decision.receivers.filter((r) => !keep.includes(r))) {
      const reason = 'its route has sendResolved: false';
      decision.skipped.push({ receiver, reason });
      record.skipped.push({ receiver, reason });
    }
    if (keep.length === 0 && decision.receivers.length > 0) {
      this.suppress(
        decision,
        record,
        'resolve-policy',
        'resolve not sent: sendResolved is false on every matched route',
      );
    } else decision.receivers = keep;
  }

  private repeatPolicy(decision: Decision): AlertState['repeat'] {
    let intervalMs: number | undefined;
    const receivers = new Set<string>();
    for (const step of traceRoutes(this.deps.config.route, matchLabels(decision.alert))) {
      if (!step.selected || !decision.receivers.includes(step.receiver)) continue;
      const policy = this.noise.routePolicies.get(step.path);
      if (policy?.repeatIntervalMs === undefined) continue;
      intervalMs = Math.min(intervalMs ?? Number.POSITIVE_INFINITY, policy.repeatIntervalMs);
      receivers.add(step.receiver);
    }
    return intervalMs === undefined ? undefined : { intervalMs, receivers: [...receivers] };
  }

  private inhibitKey(index: number, rule: CompiledInhibitRule, labels: Record<string, string>): string {
    return `${index}#${digest(rule.equal.map((name) => labels[name] ?? ''))}`;
  }

  /** Keeps the set of firing inhibition sources: added while firing, removed on resolve. */
  private async trackSources(
    alert: Alert,
    labels: Record<string, string>,
    now: number,
    store: StateStore | undefined,
  ) {
    for (const [index, rule] of this.noise.inhibit.entries()) {
      if (!rule.source.matches(labels)) continue;
      const setKey = this.inhibitKey(index, rule, labels);
      const source: FiringSource = {
        ...(alert.labels.alarmName ? { alarmName: alert.labels.alarmName } : {}),
        summary: alert.annotations.summary.slice(0, 200),
        at: now,
        expiresAt: now + rule.maxAgeMs,
      };
      if (!store) {
        const local = this.localSources.get(setKey) ?? new Map<string, FiringSource>();
        if (alert.status === 'firing') local.set(alert.fingerprint, source);
        else local.delete(alert.fingerprint);
        this.localSources.set(setKey, local);
        continue;
      }
      if (alert.status === 'firing') {
        await this.guard('inhibition source', () =>
          store.putSetMember(
            `inhibit#${setKey}`,
            alert.fingerprint,
            source,
            now,
            Math.ceil(rule.maxAgeMs / 1000) + 3600,
          ),
        );
        continue;
      }
      await this.guard('inhibition source', () =>
        store.removeSetMember(`inhibit#${setKey}`, alert.fingerprint),
      );
      const left = await this.firingSources(setKey, now, store);
      // The last inhibitor resolved: targets it held back and still firing are delivered now.
      if (Object.keys(left).length === 0) {
        await this.schedule(
          { kind: 'noise', action: 'unmute', key: `inhibit:${setKey}`, receiver: '', dueAt: now },
          now,
        );
      }
    }
  }

  private async firingSources(
    setKey: string,
    now: number,
    store: StateStore | undefined,
  ): Promise<Record<string, FiringSource>> {
    const all = store
      ? ((await this.guard('inhibition sources', () =>
          store.setMembers<FiringSource>(`inhibit#${setKey}`),
        )) ?? {})
      : Object.fromEntries(this.localSources.get(setKey) ?? []);
    return Object.fromEntries(Object.entries(all).filter(([, source]) => source.expiresAt > now));
  }

  private async tableSilences(now: number, store: StateStore | undefined): Promise<Silence[]> {
    if (!store) return [];
    const cacheMs = this.deps.silenceCacheMs ?? 15_000;
    if (this.silenceCache && now - this.silenceCache.at < cacheMs && now >= this.silenceCache.at) {
      return this.silenceCache.silences;
    }
    const silences = (await this.guard('silences', () => new SilenceRepository(store).list())) ?? [];
    this.silenceCache = { at: now, silences };
    return silences;
  }

  /** Remembers a held-back alert under its mute, and makes sure a job runs when the mute ends. */
  private async enlist(mute: Mute, alert: Alert, now: number, store: StateStore): Promise<void> {
    const member: MutedMember = {
      at: now,
      status: alert.status,
      severity: alert.severity,
      summary: alert.annotations.summary,
    };
    await this.guard('mute set', () =>
      store.putSetMember(`muted#${mute.key}`, alert.fingerprint, member, now),
    );
    if (mute.until === undefined) return;
    const first = await this.guard('mute job', () => store.claimOnce(`unmute-job#${mute.key}`, now));
    if (first === false) return;
    await this.schedule(
      {
        kind: 'noise',
        action: 'unmute',
        key: mute.key,
        receiver: mute.summaryReceiver ?? '',
        dueAt: mute.until + 1000,
      },
      now,
    );
  }

  private async unmute(job: NoiseJob, dispatcher: Dispatcher, store: StateStore, now: number) {
    const members =
      (await this.guard('mute set', () => store.setMembers<MutedMember>(`muted#${job.key}`))) ?? {};
    let result: DeliveryResult | undefined;
    const windowName = job.key.startsWith('window:') ? job.key.slice(7).split('#')[0] : undefined;
    const window = this.noise.windows.find((w) => w.name === windowName);
    if (window?.summary && Object.keys(members).length > 0) {
      result = (
        await dispatcher.dispatch(this.summaryAlert(job.key, window.name, members, now), [window.summary])
      )[0];
    }
    for (const fingerprint of Object.keys(members)) {
      const sent = await this.recheck(
        fingerprint,
        dispatcher,
        store,
        now,
        `delivered after ${job.key} ended`,
      );
      result ??= sent;
      await this.guard('mute set', () => store.removeSetMember(`muted#${job.key}`, fingerprint));
    }
    return result;
  }

  private summaryAlert(key: string, name: string, members: Record<string, MutedMember>, now: number): Alert {
    const entries = Object.values(members).sort((a, b) => a.at - b.at);
    const at = new Date(now).toISOString();
    return {
      labels: {
        source: 'klaxon',
        account: 'unknown',
        region: 'unknown',
        kind: 'window-summary',
        window: name,
      },
      annotations: {
        summary: `Maintenance window ${name} ended: ${entries.length} alert${entries.length === 1 ? '' : 's'} suppressed`,
        description: entries
          .map((e) => `${new Date(e.at).toISOString()} [${e.severity}] ${e.status}: ${e.summary}`)
          .join('\n')
          .slice(0, 3000),
      },
      severity: 'info',
      status: 'firing',
      fingerprint: `klaxon:window-summary:${key}`,
      transitionId: `klaxon:window-summary:${key}`,
      startsAt: at,
      observedAt: at,
      path: 'sns',
      links: [],
      raw: undefined,
    };
  }

  /** Delivers an alert held back by a mute if it is still firing, never notified, and nothing else mutes it. */
  private async recheck(
    fingerprint: string,
    dispatcher: Dispatcher,
    store: StateStore,
    now: number,
    note: string,
  ) {
    const state = await this.guard('alert state', () => store.loadRecord<AlertState>(`alert#${fingerprint}`));
    if (!state || state.status !== 'firing' || state.notified) return undefined;
    const mute = (await this.mutesFor(state.alert, now, store))[0];
    if (mute) {
      await this.enlist(mute, state.alert, now, store);
      return undefined;
    }
    const deliveries = await dispatcher.dispatch(state.alert, state.receivers, state.groups);
    await this.guard('save alert state', () =>
      store.saveRecord(`alert#${fingerprint}`, { ...state, notified: true }, now),
    );
    await this.followUp(state.alert, state.receivers, deliveries, note, now, store);
    return deliveries[0];
  }

  private async repeat(job: NoiseJob, dispatcher: Dispatcher, store: StateStore, now: number) {
    const state = await this.guard('alert state', () => store.loadRecord<AlertState>(`alert#${job.key}`));
    if (!state?.repeat || state.status !== 'firing' || state.transitionId !== job.transitionId)
      return undefined;
    const count = job.count ?? 0;
    const next = { ...job, count: count + 1, dueAt: now + state.repeat.intervalMs };
    if ((await this.mutesFor(state.alert, now, store)).length > 0) {
      await this.schedule(next, now);
      return undefined;
    }
    const alert: Alert = {
      ...state.alert,
      transitionId: `${state.transitionId}|repeat|${count + 1}`,
      annotations: {
        ...state.alert.annotations,
        summary: `[still firing, repeat ${count + 1}] ${state.alert.annotations.summary}`.slice(0, 1000),
        repeat: `still firing after ${formatDuration(now - Date.parse(state.alert.startsAt))}`,
      },
    };
    const deliveries = await dispatcher.dispatch(alert, state.repeat.receivers);
    await this.followUp(alert, state.repeat.receivers, deliveries, `repeat ${count + 1}`, now, store);
    await this.schedule(next, now);
    return deliveries[0];
  }

  private async flap(
    decision: Decision,
    record: DecisionRecord,
    now: number,
    store: StateStore,
  ): Promise<void> {
    const { alert } = decision;
    const { transitions, windowMinutes } = this.noise.flapping;
    const windowMs = windowMinutes * 60_000;
    const fresh = await this.guard('flap count', () =>
      store.claimOnce(`flapcount#${alert.transitionId}`, now),
    );
    if (fresh === false) return; // a duplicate of a transition already counted
    const count =
      (await this.guard('flap count', () => store.countEvent(`flap#${alert.fingerprint}`, now, windowMs))) ??
      0;
    const state = await this.guard('flap state', () =>
      store.loadRecord<FlapState>(`flap#${alert.fingerprint}`),
    );
    const active = state && !state.settled;
    if (active) {
      await this.guard('flap state', () =>
        store.saveRecord(
          `flap#${alert.fingerprint}`,
          { ...state, lastAt: now, transitions: state.transitions + 1 },
          now,
        ),
      );
      const reason = `flapping: ${count} state changes in the last ${windowMinutes} min; held until it is quiet for ${windowMinutes} min`;
      record.flapping = reason;
      this.suppress(decision, record, 'flapping', reason);
      return;
    }
    if (count <= transitions) return;
    const started: FlapState = { since: now, lastAt: now, transitions: count, settled: false };
    await this.guard('flap state', () => store.saveRecord(`flap#${alert.fingerprint}`, started, now));
    const text = `${count} state changes in ${windowMinutes} min (more than ${transitions}): notified once; further changes are held until it settles`;
    decision.alert = {
      ...alert,
      annotations: {
        ...alert.annotations,
        summary: `[FLAPPING] ${alert.annotations.summary}`.slice(0, 1000),
        flapping: text,
      },
    };
    record.flapping = `started: ${text}`;
    record.alert.summary = decision.alert.annotations.summary;
    await this.schedule(
      {
        kind: 'noise',
        action: 'flap-settle',
        key: alert.fingerprint,
        receiver: decision.receivers[0] ?? '',
        dueAt: now + windowMs,
      },
      now,
    );
  }

  private async settle(job: NoiseJob, dispatcher: Dispatcher, store: StateStore, now: number) {
    const state = await this.guard('flap state', () => store.loadRecord<FlapState>(`flap#${job.key}`));
    if (!state || state.settled) return undefined;
    const windowMs = this.noise.flapping.windowMinutes * 60_000;
    if (now < state.lastAt + windowMs) {
      await this.schedule({ ...job, dueAt: state.lastAt + windowMs + 1000 }, now);
      return undefined;
    }
    await this.guard('flap state', () =>
      store.saveRecord(`flap#${job.key}`, { ...state, settled: true }, now),
    );
    const alertState = await this.guard('alert state', () =>
      store.loadRecord<AlertState>(`alert#${job.key}`),
    );
    if (!alertState || alertState.receivers.length === 0) return undefined;
    if ((await this.mutesFor(alertState.alert, now, store)).length > 0) return undefined;
    const alert: Alert = {
      ...alertState.alert,
      transitionId: `${alertState.transitionId}|settled`,
      annotations: {
        ...alertState.alert.annotations,
        summary: `[settled after flapping] ${alertState.alert.annotations.summary}`.slice(0, 1000),
      },
    };
    const deliveries = await dispatcher.dispatch(alert, alertState.receivers, alertState.groups);
    await this.guard('save alert state', () =>
      store.saveRecord(`alert#${job.key}`, { ...alertState, notified: true }, now),
    );
    await this.followUp(
      alert,
      alertState.receivers,
      deliveries,
      `settled after flapping (${alertState.status})`,
      now,
      store,
    );
    return deliveries[0];
  }

  private async followUp(
    alert: Alert,
    receivers: string[],
    deliveries: readonly DeliveryResult[],
    note: string,
    now: number,
    store: StateStore,
  ) {
    const record: DecisionRecord = {
      at: new Date(now).toISOString(),
      mode: 'deliver',
      fingerprint: alert.fingerprint,
      transitionId: alert.transitionId,
      note,
      arrived: { path: 'retry-queue', excerpt: '(follow-up job)' },
      alert: {
        status: alert.status,
        severity: alert.severity,
        summary: alert.annotations.summary,
        labels: { ...alert.labels },
      },
      severitySource: 'recorded',
      routes: [],
      receivers,
      skipped: [],
      deliveries: deliveries.map((d) => ({
        receiver: d.receiver,
        outcome: d.outcome,
        ...(d.status ? { status: d.status } : {}),
      })),
    };
    await this.saveRecord(record, now, store);
  }

  private async saveRecord(record: DecisionRecord, now: number, store: StateStore): Promise<void> {
    const settings = this.noise.decisionRecords;
    if (!settings.enabled) return;
    const setKey = `decisions#${record.fingerprint}`;
    const member = `${now}-${digest([record.transitionId, record.note ?? ''])}`;
    await this.guard('decision record', async () => {
      await store.putSetMember(setKey, member, record, now, settings.ttlDays * 86_400);
      const members = Object.keys(await store.setMembers(setKey)).sort(
        (a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]),
      );
      for (const old of members.slice(0, Math.max(0, members.length - settings.keep)))
        await store.removeSetMember(setKey, old);
    });
  }

  private async schedule(job: NoiseJob, now: number): Promise<void> {
    const queue = this.deps.queue;
    if (!queue) return;
    const delay = Math.max(0, Math.min(900, Math.ceil((job.dueAt - now) / 1000)));
    try {
      await queue.retry(job, delay);
    } catch (error) {
      this.deps.observer.note('error', 'could not schedule a noise-control job', {
        action: job.action,
        key: job.key,
        error: (error as Error).message,
      });
    }
  }

  /** Runs a state-table call; on failure noise control fails open (delivers) and says so. */
  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof StateStoreError)) throw error;
      this.deps.observer.count('StateStoreDegraded', {});
      this.deps.observer.note(
        'warn',
        'state table unavailable; noise control carries on without it (fail open)',
        {
          operation,
          error: error.message,
        },
      );
      return undefined;
    }
  }
}

/** Reads the decision records of one fingerprint from the state table, oldest first. */
export async function readDecisionRecords(store: StateStore, fingerprint: string): Promise<DecisionRecord[]> {
  const members = await store.setMembers<DecisionRecord>(`decisions#${fingerprint}`);
  return Object.entries(members)
    .sort(([a], [b]) => Number(a.split('-')[0]) - Number(b.split('-')[0]))
    .map(([, record]) => record);
}
