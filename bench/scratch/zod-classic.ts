/** Scratch: the envelope-sized zod footprint with the classic API (`import { z } from 'zod'`). */
import { z } from 'zod';

export const schema = z.object({
  Records: z.array(
    z.object({
      EventSource: z.literal('aws:sns').optional(),
      Sns: z.object({
        MessageId: z.string(),
        TopicArn: z.string(),
        Subject: z.string().nullish(),
        Message: z.string(),
      }),
    }),
  ),
  state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  tags: z.record(z.string(), z.string()).optional(),
});
export const parse = (value: unknown) => schema.safeParse(value).success;
