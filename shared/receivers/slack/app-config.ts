import type { ReceiverConfig } from '../registry';
import type { PagerDutyTarget, SlackAppConfig } from './interactivity';

/** The Slack app receivers and the PagerDuty receivers of `klaxon.yml`, by name, for the interactivity endpoint. */
export function interactivityTargets(receivers: Readonly<Record<string, ReceiverConfig>>): {
  slackReceivers: Map<string, SlackAppConfig>;
  pagerDutyReceivers: Map<string, PagerDutyTarget>;
} {
  const slackReceivers = new Map<string, SlackAppConfig>();
  const pagerDutyReceivers = new Map<string, PagerDutyTarget>();
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
    if (config.type === 'pagerduty')
      pagerDutyReceivers.set(name, { routingKey: config.routingKey, url: config.url });
  }
  return { slackReceivers, pagerDutyReceivers };
}
