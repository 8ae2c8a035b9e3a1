import { z } from 'zod';
import { matchSchema, type MatcherValueInput } from '../config/primitives';

/** Storm grouping of a route: alerts sharing these labels within the window go out as one message. */
export const groupSchema = z.strictObject({
  by: z.array(z.string().min(1)).min(1, 'name at least one label to group by'),
  windowSeconds: z.number().int().min(1).max(300).default(10),
});

/** A node of the route tree, as written in klaxon.yml. */
export interface RouteInput {
  name?: string;
  match?: Record<string, MatcherValueInput>;
  receiver?: string;
  continue?: boolean;
  group?: z.infer<typeof groupSchema>;
  /** `false` turns AWS-context enrichment off for alerts routed here (inherited by children). */
  enrichment?: boolean;
  routes?: RouteInput[];
  /** Re-notify while an alert routed here keeps firing (shared/noise), e.g. `4h`; inherited. */
  repeatInterval?: string;
  /** `false`: resolves are not sent to this route's receiver (inherited; default true). */
  sendResolved?: boolean;
}

/** The `route:` tree of klaxon.yml. */
export const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'route names are letters, digits, _ . -')
      .optional(),
    match: matchSchema.optional(),
    receiver: z.string().optional(),
    continue: z.boolean().optional(),
    group: groupSchema.optional(),
    enrichment: z.boolean().optional(),
    routes: z.array(routeSchema).optional(),
    repeatInterval: z.string().optional(),
    sendResolved: z.boolean().optional(),
  }),
);
