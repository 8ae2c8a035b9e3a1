import * as z from '../../zod';
import type { ReceiverDescriptor, ReceiverTraits } from '../descriptor';
import { deliveryResult } from '../http-receiver';
import type { DeliveryResult, Receiver } from '../types';
import { renderSnsGroupMessage, renderSnsMessage } from './render';

function configSchema() {
  return z.strictObject({
    type: z.literal('sns'),
    /** A topic for email/SMS subscribers; omitted, the stack's own ops topic (KLAXON_OPS_TOPIC_ARN). */
    topicArn: z.optional(
      z
        .string()
        .check(
          z.regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN'),
        ),
    ),
  });
}

/** An `sns` receiver's configuration. */
export type SnsConfig = z.infer<ReturnType<typeof configSchema>>;

const traits: ReceiverTraits = { pages: false, ratePerSecond: 10, groups: true };

/** Plain text to an SNS topic (email and SMS subscribers), the stack's ops topic by default. */
export const snsReceiver: ReceiverDescriptor<'sns', SnsConfig> = {
  type: 'sns',
  ...traits,
  configSchema,
  build: (name, config, deps) => {
    const topicArn = config.topicArn ?? deps.opsTopicArn;
    const publish = async (
      receiver: Receiver,
      message: { subject: string; message: string },
    ): Promise<DeliveryResult> => {
      if (!topicArn || !deps.publish) {
        return deliveryResult(receiver, 'failed', 0, {
          error: `sns receiver ${name}: no topic (set topicArn, or deploy the stack's ops topic)`,
          retryable: false,
        });
      }
      try {
        await deps.publish(topicArn, message.subject, message.message);
        return deliveryResult(receiver, 'delivered', 1);
      } catch (error) {
        const retryable = !/NotFound|InvalidParameter|AuthorizationError/.test((error as Error).name);
        return deliveryResult(receiver, 'failed', 1, {
          error: `SNS publish failed: ${(error as Error).name}`,
          retryable,
        });
      }
    };
    const receiver: Receiver = {
      name,
      type: 'sns',
      preview: (alert) => ({ topicArn: topicArn ?? '<the stack ops topic>', ...renderSnsMessage(alert) }),
      send: (alert) => publish(receiver, renderSnsMessage(alert)),
      previewGroup: (group) => ({
        topicArn: topicArn ?? '<the stack ops topic>',
        ...renderSnsGroupMessage(group),
      }),
      sendGroup: (group) => publish(receiver, renderSnsGroupMessage(group)),
    };
    return receiver;
  },
};
