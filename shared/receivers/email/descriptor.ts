import * as z from '../../zod';
import type { ReceiverDescriptor, ReceiverTraits } from '../descriptor';
import { deliveryResult } from '../http-receiver';
import type { DeliveryResult, Receiver } from '../types';
import { type EmailPublish, renderEmailAlert, renderEmailGroup, renderEmailPrepared } from './render';

function configSchema() {
  return z.strictObject({
    type: z.literal('email'),
    /** The topic the email addresses subscribe to; omitted, the stack's own ops topic. */
    topicArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
            'an SNS topic ARN (standard, not FIFO)',
          ),
        ),
    ),
    /** Put before every subject, e.g. `[prod] ` (ASCII, no line breaks). */
    subjectPrefix: z.optional(
      z
        .string()
        .check(
          z.maxLength(30),
          z.regex(/^[\x20-\x7e]*$/, 'printable ASCII without line breaks (SNS subjects allow nothing else)'),
        ),
    ),
  });
}

/** An `email` receiver's configuration. */
export type EmailConfig = z.infer<ReturnType<typeof configSchema>>;

// SNS publishes about 30,000 messages a second per topic, but every one is an email in an inbox:
// storms arrive grouped, and the pace below keeps a burst from flooding the subscribers.
const traits: ReceiverTraits = { pages: false, ratePerSecond: 1, groups: true, prepared: 'text' };

/**
 * Email through an SNS topic with email subscriptions: a one-line subject and a plain-text body for
 * email subscribers, the webhook JSON document for every other protocol, storms as one digest email.
 */
export const emailReceiver: ReceiverDescriptor<'email', EmailConfig> = {
  type: 'email',
  ...traits,
  configSchema,
  build: (name, config, deps) => {
    const topicArn = config.topicArn ?? deps.opsTopicArn;
    const prefix = config.subjectPrefix ?? '';
    const publish = async (receiver: Receiver, message: EmailPublish): Promise<DeliveryResult> => {
      if (!topicArn || !deps.publish) {
        return deliveryResult(receiver, 'failed', 0, {
          error: `email receiver ${name}: no topic (set topicArn, or deploy the stack's ops topic)`,
          retryable: false,
        });
      }
      try {
        await deps.publish(topicArn, message.subject, JSON.stringify(message.messages), {
          perProtocol: true,
        });
        return deliveryResult(receiver, 'delivered', 1);
      } catch (error) {
        const retryable = !/NotFound|InvalidParameter|AuthorizationError|KMSDisabled/.test(
          (error as Error).name,
        );
        return deliveryResult(receiver, 'failed', 1, {
          error: `SNS publish failed: ${(error as Error).name}`,
          retryable,
        });
      }
    };
    const shown = (message: EmailPublish) => ({
      topicArn: topicArn ?? '<the stack ops topic>',
      messageStructure: 'json',
      subject: message.subject,
      email: message.messages.email,
      default: JSON.parse(message.messages.default) as unknown,
    });
    const receiver: Receiver = {
      name,
      type: 'email',
      preview: (alert) => shown(renderEmailAlert(alert, name, prefix)),
      send: (alert) => publish(receiver, renderEmailAlert(alert, name, prefix)),
      previewGroup: (group) => shown(renderEmailGroup(group, name, prefix)),
      sendGroup: (group) => publish(receiver, renderEmailGroup(group, name, prefix)),
      sendPrepared: (message) => publish(receiver, renderEmailPrepared(message.text, name, prefix)),
    };
    return receiver;
  },
};
