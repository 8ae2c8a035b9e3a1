import type { Alert } from '../alert/alert';
import type { Dispatcher } from '../delivery/dispatcher';
import type { DeliveryResult } from '../receivers/types';
import type { StateStore } from '../state/store';
import type { NoiseEffects } from './effects';
import type { Mute } from './mute';

/** What a follow-up job (unmute, repeat, flap settle) runs with. */
export interface FollowUpContext {
  store: StateStore;
  dispatcher: Dispatcher;
  now: number;
  effects: NoiseEffects;
  /** Every mute in force for the alert now, silences first, then windows, then inhibition. */
  mutesFor(alert: Alert): Promise<Mute[]>;
  /** Records a follow-up delivery. */
  followUp(
    alert: Alert,
    receivers: string[],
    deliveries: readonly DeliveryResult[],
    note: string,
  ): Promise<void>;
}
