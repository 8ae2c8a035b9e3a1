import type { IncidentAction } from '../descriptor';
import { findReceiverDescriptor } from '../lookup';
import type { ReceiverConfig } from '../registry';
import type { IncidentTarget, SlackAppConfig } from './interactivity';

/**
 * The Slack app receivers of `klaxon.yml`, and the receivers whose incidents its buttons can
 * acknowledge or resolve (types whose descriptor declares `incident`), by name, for the
 * interactivity endpoint.
 */
export function interactivityTargets(receivers: Readonly<Record<string, ReceiverConfig>>): {
  slackReceivers: Map<string, SlackAppConfig>;
  incidentReceivers: Map<string, IncidentTarget>;
} {
  const slackReceivers = new Map<string, SlackAppConfig>();
  const incidentReceivers = new Map<string, IncidentTarget>();
  for (const [name, config] of Object.entries(receivers)) {
    if (config.type === 'slack' && config.botToken && config.channel) {
      slackReceivers.set(name, {
        botToken: config.botToken,
        channel: config.channel,
        apiUrl: config.apiUrl,
        signingSecret: config.signingSecret,
        actions: config.actions,
      });
    }
    const incident = findReceiverDescriptor(config.type)?.incident;
    if (incident) {
      incidentReceivers.set(name, {
        type: config.type,
        actions: incident.actions,
        act: (action: IncidentAction, fingerprint, deps) => incident.act(action, fingerprint, config, deps),
      });
    }
  }
  return { slackReceivers, incidentReceivers };
}
