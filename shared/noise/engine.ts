import type { Alert } from '../alert/alert';
import type { KlaxonConfig } from '../config/load';
import type { Dispatcher } from '../delivery/dispatcher';
import { queuedAlert } from '../delivery/jobs';
import type { DeliveryQueue } from '../delivery/queue';
import type { PipelineObserver } from '../observability/observer';
import type { DeliveryResult } from '../receivers/types';
import type { Decision } from '../routing/decide';
import type { AlertDraft } from '../sources/types';
import type { StateStore } from '../state/store';
import { type AlertState, alertStateKey } from './alert-state';
import { arrivalRecord, followUpRecord, saveDecisionRecord, withDeliveries } from './decision-records';
import { type NoiseEffects, type NoiseJob, noiseEffects } from './effects';
import { dampFlapping, runSettle } from './flapping';
import type { FollowUpContext } from './follow-up';
import { annotateNotes, InhibitionMuter, InhibitionSources } from './inhibition';
import { enlist, runUnmute } from './mute-sets';
import { matchLabels, type Mute, type Muter } from './mute';
import type { DecisionRecord } from './record';
import { firstRepeatJob, repeatPolicy, runRepeat } from './repeat';
import { applySendResolved } from './resolve-policy';
import { SilenceMuter } from './silence-muter';
import { suppressedVerdict, type Verdict } from './verdict';
import { WindowMuter } from './window-muter';

export type { AlertState } from './alert-state';
export { readDecisionRecords } from './decision-records';
export { matchLabels, type Mute } from './mute';

/** The pipeline's noise stage: runs after decide, may suppress, and records the decision once delivered. */
export interface NoiseStage {
  /** Weighs one routed alert; returns the decision to deliver and what records it once deliveries are known. */
  apply(decision: Decision, draft: AlertDraft, mode: 'deliver' | 'preview'): Promise<NoiseVerdict>;
}

/** What noise control decided for one alert: a new decision, and the writer of its record. */
export interface NoiseVerdict {
  decision: Decision;
  /** Writes the record, with the remediation line when a rule decided something. */
  record: (deliveries: readonly DeliveryResult[], remediation?: string) => Promise<void>;
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

/**
 * Silences, maintenance windows, inhibition, flap damping, repeats and the resolve policy, plus
 * the decision record. Stateless decisions (static silences, windows, inhibition by alerts seen in
 * this process) work without a store, which makes replays deterministic under an injected clock.
 */
export class NoiseEngine implements NoiseStage {
  /** Decision records of this process (preview mode, or no state table): `klaxon explain <event file>`. */
  readonly records: DecisionRecord[] = [];
  private readonly effects: NoiseEffects;
  private readonly silences: SilenceMuter;
  private readonly sources: InhibitionSources;
  /** Silences first, then windows, then inhibition: the first mute in force names the suppression. */
  private readonly muters: readonly Muter[];

  constructor(private readonly deps: NoiseDeps) {
    const noise = deps.config.noise;
    this.effects = noiseEffects(deps.queue, deps.observer);
    this.silences = new SilenceMuter(noise.silences, this.effects, deps.silenceCacheMs ?? 15_000);
    this.sources = new InhibitionSources(noise.inhibit, this.effects);
    this.muters = [
      this.silences,
      new WindowMuter(noise.windows),
      new InhibitionMuter(noise.inhibit, this.sources),
    ];
  }

  private get noise() {
    return this.deps.config.noise;
  }

  /**
   * Weighs the decision and returns the recorder to call with its deliveries. The caller's
   * `decision` is updated in place with the outcome, as the pipeline reads it after this stage.
   */
  async apply(decision: Decision, draft: AlertDraft, mode: 'deliver' | 'preview'): Promise<NoiseVerdict> {
    const now = this.deps.now().getTime();
    const store = mode === 'deliver' ? this.deps.store : undefined;
    const alert = decision.alert;
    const labels = matchLabels(alert);
    const wouldReceive = [...decision.receivers];
    // A point event never resolves, so it would hold a mute (or a note) until maxAge: never a source.
    if (!draft.pointEvent) await this.sources.track(alert, labels, now, store);
    // The prior state matters only to a resolve and to an alert that is not sent: read it then, once.
    let prior: Promise<AlertState | undefined> | undefined;
    const priorState = () =>
      (prior ??= store
        ? this.effects.guard('alert state', () =>
            store.loadRecord<AlertState>(alertStateKey(alert.fingerprint)),
          )
        : Promise.resolve(undefined));
    const arrived: Verdict = {
      decision,
      record: arrivalRecord(this.deps.config.route, decision, draft, mode, now),
    };
    const { verdict, muted, repeat } = await this.weigh(arrived, draft, priorState, now, store);
    const weighed = verdict.decision;
    const record = verdict.record;
    const writeRecord = async (deliveries: readonly DeliveryResult[], remediation?: string) => {
      const delivered = { ...withDeliveries(record, deliveries), ...(remediation ? { remediation } : {}) };
      if (!store) {
        this.records.push(delivered);
        return;
      }
      const sent = !weighed.suppressed && weighed.receivers.length > 0;
      const earlier = sent ? undefined : await priorState();
      const state: AlertState = {
        status: alert.status,
        transitionId: alert.transitionId,
        at: now,
        alert: queuedAlert(weighed.alert),
        receivers: wouldReceive,
        groups: weighed.groups,
        notified: sent || (earlier?.transitionId === alert.transitionId && earlier.notified),
        ...(repeat ? { repeat } : {}),
      };
      await this.effects.guard('save alert state', () =>
        store.saveRecord(alertStateKey(alert.fingerprint), state, now),
      );
      if (muted) await enlist(muted, alert, now, store, this.effects);
      if (repeat && sent) await this.effects.schedule(firstRepeatJob(alert, repeat, now), now);
      await saveDecisionRecord(this.noise.decisionRecords, this.effects, delivered, now, store);
    };
    return { decision: weighed, record: writeRecord };
  }

  /** Every mute in force for the alert at `now`, silences first, then windows, then inhibition. */
  async mutesFor(alert: Alert, now: number, store: StateStore | undefined): Promise<Mute[]> {
    const labels = matchLabels(alert);
    const mutes: Mute[] = [];
    for (const muter of this.muters) mutes.push(...(await muter.mutes(alert, labels, now, store)));
    return mutes;
  }

  /**
   * Notes from `annotate` rules whose source is firing for this alert: e.g. "during: Deployment
   * d-123 of checkout in progress", so the on-call sees the likely cause in the message itself.
   */
  async contextFor(alert: Alert, now: number, store: StateStore | undefined): Promise<string[]> {
    return annotateNotes(this.noise.inhibit, this.sources, alert, matchLabels(alert), now, store);
  }

  /** Runs a `noise` job from the retry queue. */
  async runJob(job: NoiseJob, dispatcher: Dispatcher): Promise<DeliveryResult | undefined> {
    const now = this.deps.now().getTime();
    const store = this.deps.store;
    if (!store) return undefined;
    if (job.dueAt > now + 1000) {
      await this.effects.schedule(job, now);
      return undefined;
    }
    // A job acts on what the table says now (a silence may just have been expired).
    this.silences.forget();
    const context: FollowUpContext = {
      store,
      dispatcher,
      now,
      effects: this.effects,
      mutesFor: (alert) => this.mutesFor(alert, now, store),
      followUp: (alert, receivers, deliveries, note) =>
        saveDecisionRecord(
          this.noise.decisionRecords,
          this.effects,
          followUpRecord(alert, receivers, deliveries, note, now),
          now,
          store,
        ),
    };
    if (job.action === 'unmute') return runUnmute(job, this.noise.windows, context);
    if (job.action === 'repeat') return runRepeat(job, context);
    return runSettle(job, this.noise.flapping, context);
  }

  /** The stages in order: resolve policy, mutes, flap damping, repeat policy, annotate notes. */
  private async weigh(
    arrived: Verdict,
    draft: AlertDraft,
    priorState: () => Promise<AlertState | undefined>,
    now: number,
    store: StateStore | undefined,
  ): Promise<{ verdict: Verdict; muted?: Mute; repeat?: AlertState['repeat'] }> {
    let verdict = arrived;
    const alert = arrived.decision.alert;
    if (verdict.decision.suppressed) return { verdict };
    if (alert.status === 'resolved') verdict = applySendResolved(verdict, this.noise.routePolicies);
    // A resolve of something already notified always goes out: it closes the incident it opened.
    const prior = alert.status === 'resolved' ? await priorState() : undefined;
    const resolvesNotified = alert.status === 'resolved' && prior?.status === 'firing' && prior.notified;
    let muted: Mute | undefined;
    if (!verdict.decision.suppressed && !resolvesNotified) {
      muted = (await this.mutesFor(alert, now, store))[0];
      if (muted) verdict = suppressedVerdict(verdict, muted.kind, muted.reason, muted.by);
    }
    if (
      !verdict.decision.suppressed &&
      store &&
      this.noise.flapping.enabled &&
      alert.labels.source === 'cloudwatch-alarm'
    ) {
      verdict = await dampFlapping(verdict, this.noise.flapping, this.effects, now, store);
    }
    let repeat: AlertState['repeat'];
    // A point event (a scaling activity, a cost anomaly) is over once told: nothing to repeat.
    if (!verdict.decision.suppressed && alert.status === 'firing' && !draft.pointEvent)
      repeat = repeatPolicy(this.deps.config.route, this.noise.routePolicies, verdict.decision);
    if (!verdict.decision.suppressed && alert.status === 'firing') {
      const context = await this.contextFor(alert, now, store);
      if (context.length > 0) {
        const current = verdict.decision.alert;
        verdict = {
          decision: {
            ...verdict.decision,
            alert: { ...current, annotations: { ...current.annotations, context: context.join('\n') } },
          },
          record: { ...verdict.record, context },
        };
      }
    }
    return { verdict, muted, repeat };
  }
}
