import * as z from '../zod';
import { matchSchema, type MatcherValueInput } from '../config/primitives';

/** Storm grouping of a route: alerts sharing these labels within the window go out as one message. */
export const groupSchema = z.strictObject({
  by: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'name at least one label to group by')),
  windowSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(300)), 10),
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
export const routeSchema: z.ZodMiniType<RouteInput> = z.lazy(() =>
  z.strictObject({
    name: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'route names are letters, digits, _ . -')),
    ),
    match: z.optional(matchSchema),
    receiver: z.optional(z.string()),
    continue: z.optional(z.boolean()),
    group: z.optional(groupSchema),
    enrichment: z.optional(z.boolean()),
    routes: z.optional(z.array(routeSchema)),
    repeatInterval: z.optional(z.string()),
    sendResolved: z.optional(z.boolean()),
  }),
);
