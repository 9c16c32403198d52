import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsrmRouter } from '../../services/src/routing/osrm-client.ts';
import { RouterError } from '../../services/src/routing/types.ts';
import { parseRequest, recorded, recording, sameCoordinates } from './recorded.ts';

/**
 * The client against a real HTTP server on loopback that replays osrm-routed's recorded answers: the recording
 * whose service and coordinates match the request is served, and every received URL is kept for assertions.
 */
let server: http.Server;
let baseUrl: string;
const received: string[] = [];
/** When set, the next requests get this recording whatever they ask (to replay error answers). */
let forced: string | undefined;
let stallMs = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    received.push(req.url ?? '');
    const asked = parseRequest(`${req.method} ${req.url}`);
    const answer = forced
      ? recording(forced)
      : recorded.find((r) => {
          const rec = parseRequest(r.request);
          return rec.service === asked.service && sameCoordinates(rec.coordinates, asked.coordinates);
        });
    const reply = () => {
      if (!answer) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(answer.body));
    };
    if (stallMs > 0) setTimeout(reply, stallMs);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lastRequest = () => parseRequest(received[received.length - 1]);
const client = (timeoutMs = 2000) => new OsrmRouter({ baseUrl, profile: 'driving', timeoutMs });

describe('OsrmRouter against recorded osrm-routed answers', () => {
  it('route: sends the recorded path and options, parses geometry, legs, steps and snapping', async () => {
    const rec = recording('route-two-points-steps');
    const wanted = parseRequest(rec.request);
    const result = await client().route(wanted.coordinates, { steps: true });

    const sent = lastRequest();
    expect(sent.service).toBe('route');
    expect(sent.profile).toBe('driving');
    expect(sameCoordinates(sent.coordinates, wanted.coordinates)).toBe(true);
    // The recording also asked for annotations; the client asks for what it parses.
    expect(sent.query).toEqual({ steps: 'true', geometries: 'geojson', overview: 'full' });
    for (const key of ['steps', 'geometries', 'overview']) expect(sent.query[key]).toBe(wanted.query[key]);

    const route = rec.body.routes[0];
    expect(result.distanceM).toBe(route.distance);
    expect(result.durationS).toBe(route.duration);
    expect(result.coordinates).toEqual(route.geometry.coordinates);
    expect(result.legs).toHaveLength(1);
    expect(result.legs[0].steps).toEqual(route.legs[0].steps);
    expect(result.snapDistancesM).toEqual(rec.body.waypoints.map((w: { distance: number }) => w.distance));
    expect(result.waypoints?.[1].name).toBe('Place du Casino');
  });

  it('table: one request for the whole matrix, identical sides sent once without sources/destinations', async () => {
    const rec = recording('table-5x5');
    const wanted = parseRequest(rec.request);
    const before = received.length;
    const result = await client().table(wanted.coordinates, wanted.coordinates);
    expect(received.length - before).toBe(1);
    const sent = lastRequest();
    expect(sameCoordinates(sent.coordinates, wanted.coordinates)).toBe(true);
    expect(sent.query).toEqual(wanted.query); // { annotations: 'duration,distance' }
    expect(result.durationsS).toEqual(rec.body.durations);
    expect(result.distancesM).toEqual(rec.body.distances);
    expect(result.sources?.map((s) => s.name)).toEqual(rec.body.sources.map((s: { name: string }) => s.name));
  });

  it('table: sources and destinations by index; an answer without distances gives null distances', async () => {
    const rec = recording('table-sources-destinations');
    const wanted = parseRequest(rec.request);
    const sources = wanted.coordinates.slice(0, 2);
    const destinations = wanted.coordinates.slice(2, 4);
    const result = await client().table(sources, destinations);
    const sent = lastRequest();
    expect(sameCoordinates(sent.coordinates, wanted.coordinates)).toBe(true);
    expect(sent.query.sources).toBe(wanted.query.sources);
    expect(sent.query.destinations).toBe(wanted.query.destinations);
    expect(sent.query.annotations).toBe('duration,distance');
    expect(result.durationsS).toEqual(rec.body.durations);
    expect(result.distancesM).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it.each([
    ['error-invalid-coordinates', 'InvalidValue'],
    ['error-one-coordinate', 'InvalidOptions'],
  ])('%s: the HTTP 400 answer becomes a RouterError with code %s', async (name, code) => {
    const wanted = parseRequest(recording(name).request);
    const err = await client()
      .route(wanted.coordinates)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect((err as RouterError).code).toBe(code);
    expect((err as RouterError).message).toBe(recording(name).body.message);
  });

  it('InvalidQuery answer becomes a RouterError with that code', async () => {
    forced = 'error-bad-option';
    try {
      const err = await client()
        .route([
          [7.419, 43.7312],
          [7.427, 43.739],
        ])
        .catch((e: unknown) => e);
      expect((err as RouterError).code).toBe('InvalidQuery');
    } finally {
      forced = undefined;
    }
  });

  it('a server slower than the timeout gives RouterError Timeout', async () => {
    stallMs = 500;
    try {
      const err = await client(100)
        .table([[7.419, 43.7312]], [[7.427, 43.739]])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RouterError);
      expect((err as RouterError).code).toBe('Timeout');
    } finally {
      stallMs = 0;
    }
  });

  it('a refused connection gives RouterError NetworkError', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await new OsrmRouter({ baseUrl: `http://127.0.0.1:${port}` })
      .route([
        [7.419, 43.7312],
        [7.427, 43.739],
      ])
      .catch((e: unknown) => e);
    expect((err as RouterError).code).toBe('NetworkError');
  });
});
