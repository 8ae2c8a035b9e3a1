import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWebhook, startFakeWebhook } from '../support/fake-webhook';

let hook: FakeWebhook;

beforeAll(async () => {
  hook = await startFakeWebhook({ maxBodyBytes: 1024 });
});

afterAll(() => hook.close());

const post = (path: string, body: string) =>
  fetch(hook.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the loopback webhook fake', () => {
  it('records accepted JSON per path, and refuses bodies that are too large or not JSON', async () => {
    expect((await post('/a', JSON.stringify({ n: 1 }))).status).toBe(200);
    expect((await post('/b', JSON.stringify({ n: 2 }))).status).toBe(200);
    expect((await post('/a', 'x'.repeat(2048))).status).toBe(413);
    expect((await post('/a', '{not json')).status).toBe(400);
    expect((await fetch(hook.url('/a'))).status).toBe(405);
    expect(hook.accepted('/a').map((r) => r.body)).toEqual([{ n: 1 }]);
    expect(hook.accepted('/b').map((r) => r.body)).toEqual([{ n: 2 }]);
    expect(hook.requests.map((r) => r.status)).toEqual([200, 200, 413, 400, 405]);
    expect(hook.requests[2]?.bodyBytes).toBe(2048);
    hook.reset();
    expect(hook.requests).toEqual([]);
  });
});
