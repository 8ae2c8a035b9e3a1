import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvocationClock } from '../../../shared/lambda/invocation-clock';
import { lazyHandler } from '../../../shared/lambda/lazy-handler';

const contextWith = (remainingMs: number, arn = 'arn:aws:lambda:us-east-1:123456789012:function:f') =>
  ({ getRemainingTimeInMillis: () => remainingMs, invokedFunctionArn: arn }) as unknown as Context;

describe('lazyHandler', () => {
  it('builds the dependencies on the first invocation only, and hands them to every invocation', async () => {
    let builds = 0;
    const handler = lazyHandler({
      addContext: () => {},
      defaultRemainingMs: 1_000,
      build: () => ({ id: ++builds }),
      run: async (event: string, deps) => `${event}:${deps.id}`,
    });
    expect(builds).toBe(0);
    expect(await handler('a')).toBe('a:1');
    expect(await handler('b')).toBe('b:1');
    expect(builds).toBe(1);
  });

  it('starts the clock from each invocation context, or from the default without one', async () => {
    const clock = new InvocationClock();
    const seen: number[] = [];
    const handler = lazyHandler({
      addContext: () => {},
      defaultRemainingMs: 5_000,
      clock,
      build: (c) => c,
      run: async (_event: unknown, c) => {
        seen.push(Math.round(c.remainingMs() / 1_000));
      },
    });
    await handler({}, contextWith(42_000));
    await handler({});
    expect(seen).toEqual([42, 5]);
  });

  it('adds the Lambda context to the logger and hands it to the work', async () => {
    const added: Context[] = [];
    const handler = lazyHandler({
      addContext: (context) => added.push(context),
      defaultRemainingMs: 1_000,
      build: () => ({}),
      run: async (_event: unknown, _deps, context) => context?.invokedFunctionArn,
    });
    const context = contextWith(1_000);
    expect(await handler({}, context)).toBe(context.invokedFunctionArn);
    expect(await handler({})).toBeUndefined();
    expect(added).toEqual([context]);
  });

  it('builds again after a build that threw, instead of keeping a broken function', async () => {
    let attempts = 0;
    const handler = lazyHandler({
      addContext: () => {},
      defaultRemainingMs: 1_000,
      build: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('SSM unavailable');
        return { ok: true };
      },
      run: async (_event: unknown, deps) => deps.ok,
    });
    await expect(handler({})).rejects.toThrow('SSM unavailable');
    expect(await handler({})).toBe(true);
  });
});
