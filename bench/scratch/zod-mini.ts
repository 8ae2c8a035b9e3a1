/** Scratch: the same schema with zod/mini (functional API, tree-shakable). */
import * as z from 'zod/mini';

export const schema = z.object({
  Records: z.array(
    z.object({
      EventSource: z.optional(z.literal('aws:sns')),
      Sns: z.object({
        MessageId: z.string(),
        TopicArn: z.string(),
        Subject: z.nullish(z.string()),
        Message: z.string(),
      }),
    }),
  ),
  state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  tags: z.optional(z.record(z.string(), z.string())),
});
export const parse = (value: unknown) => schema.safeParse(value).success;
