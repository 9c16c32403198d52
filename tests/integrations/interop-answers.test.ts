import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../services/src/http/error-middleware.ts';
import { HttpError } from '../../services/src/http/errors.ts';
import { documentedAnswers } from '../../services/src/interop/standard.ts';

/**
 * The net under the interoperability routes, on a real Koa app and router on loopback: each route throws the
 * error the query names, as a deeper layer (the workflow, the database) would.
 */
let server: Server;
let url: string;

beforeAll(async () => {
  const app = new Koa();
  app.use(errorMiddleware(() => {}));
  const r = new Router({ prefix: '/interop/v1' });
  r.use(documentedAnswers('/interop/v1'));
  const fail = (ctx: Koa.Context) => {
    const status = Number(ctx.query.status);
    throw new HttpError(status, `code_${status}`, `reason ${status}`, [{ field: 'status', reason: 'why' }], status === 503 ? { 'Retry-After': '2' } : {});
  };
  r.post('/bookings', fail);
  r.patch('/bookings/:bookingId', fail);
  r.get('/driver_journeys', fail);
  r.get('/not-in-the-standard', fail);
  app.use(r.routes());
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/interop/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const hit = async (method: string, path: string, status: number) => {
  const res = await fetch(`${url}${path}?status=${status}`, { method });
  return { status: res.status, body: (await res.json()) as any, retryAfter: res.headers.get('retry-after') };
};

describe('interoperability answers keep to the statuses each operation documents', () => {
  it('turns a client error the operation does not document into its 400, code and reason kept', async () => {
    const r = await hit('POST', '/bookings', 409);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'code_409', message: 'reason 409', fields: [{ field: 'status', reason: 'why' }] });
    expect((await hit('GET', '/driver_journeys', 404)).status).toBe(400);
    expect((await hit('GET', '/driver_journeys', 403)).status).toBe(400);
  });

  it('keeps the statuses the operation documents (PATCH has 404 and 409, every operation 401 and 429)', async () => {
    expect((await hit('PATCH', '/bookings/abc', 409)).status).toBe(409);
    expect((await hit('PATCH', '/bookings/abc', 404)).status).toBe(404);
    expect((await hit('POST', '/bookings', 401)).status).toBe(401);
    expect((await hit('GET', '/driver_journeys', 429)).status).toBe(429);
  });

  it('turns a server error it does not document into its 500, headers kept', async () => {
    const r = await hit('GET', '/driver_journeys', 503);
    expect(r.status).toBe(500);
    expect(r.retryAfter).toBe('2');
  });

  it('leaves alone the routes that are not operations of the standard', async () => {
    expect((await hit('GET', '/not-in-the-standard', 409)).status).toBe(409);
  });
});
