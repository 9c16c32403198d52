import KoaRouter from '@koa/router';
import type { Context } from 'koa';
import type { LngLat, RouteResult, RouteStep, Router, SnappedWaypoint } from './types.ts';
import { RouterError } from './types.ts';

/**
 * OSRM-compatible endpoints over any Router: `GET /osrm/route/v1/{profile}/{coordinates}` and
 * `GET /osrm/table/v1/{profile}/{coordinates}`, with OSRM's options, answer shapes and error answers, so that
 * OSRM clients (maps, osrm-text-instructions, the console) work against the embedded router too.
 * Like osrm-routed, the profile segment is accepted whatever it says: there is one road network.
 * Errors here are OSRM protocol answers (`{code, message}`, HTTP 400), not the app's error format.
 */

type OsrmErrorCode = 'InvalidUrl' | 'InvalidQuery' | 'InvalidOptions' | 'InvalidValue' | 'NoRoute' | 'NoSegment' | 'NoTable';

class OsrmAnswerError extends Error {
  constructor(
    readonly code: OsrmErrorCode | string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Google polyline codec (precision 5 or 6), [lng, lat] in and out.

export function encodePolyline(coordinates: LngLat[], precision = 5): string {
  const factor = 10 ** precision;
  let out = '';
  let lastLat = 0;
  let lastLng = 0;
  const encode = (delta: number) => {
    let v = delta < 0 ? ~(delta << 1) : delta << 1;
    while (v >= 0x20) {
      out += String.fromCharCode((0x20 | (v & 0x1f)) + 63);
      v >>= 5;
    }
    out += String.fromCharCode(v + 63);
  };
  for (const [lng, lat] of coordinates) {
    const iLat = Math.round(lat * factor);
    const iLng = Math.round(lng * factor);
    encode(iLat - lastLat);
    encode(iLng - lastLng);
    lastLat = iLat;
    lastLng = iLng;
  }
  return out;
}

export function decodePolyline(text: string, precision = 5): LngLat[] {
  const factor = 10 ** precision;
  const out: LngLat[] = [];
  let index = 0;
  let lat = 0;
  let lng = 0;
  const next = () => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      if (index >= text.length) throw new Error('truncated polyline');
      byte = text.charCodeAt(index++) - 63;
      result |= (byte & 0x1f) << shift;
      shift += 5;
    } while (byte >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (index < text.length) {
    lat += next();
    lng += next();
    out.push([lng / factor, lat / factor]);
  }
  return out;
}

/** Douglas–Peucker in degrees: OSRM's `overview=simplified` keeps the shape at the zoom it is shown. */
function simplify(points: LngLat[], toleranceDeg = 1e-4): LngLat[] {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  const tol2 = toleranceDeg * toleranceDeg;
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    const [ax, ay] = points[first];
    const [bx, by] = points[last];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let maxD2 = 0;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const [px, py] = points[i];
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const d2 = ex * ex + ey * ey;
      if (d2 > maxD2) {
        maxD2 = d2;
        index = i;
      }
    }
    if (index !== -1 && maxD2 > tol2) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Request parsing: the URL as OSRM reads it, errors pointing at a position like osrm-routed's.

type Geometries = 'polyline' | 'polyline6' | 'geojson';

interface OptionSpec {
  /** Returns the parsed value, or undefined when the value is malformed. */
  parse(value: string): unknown;
}

const boolean: OptionSpec = { parse: (v) => (v === 'true' ? true : v === 'false' ? false : undefined) };
const oneOf = (...values: string[]): OptionSpec => ({ parse: (v) => (values.includes(v) ? v : undefined) });
const perCoordinate: OptionSpec = { parse: (v) => v.split(';') };
const indexList: OptionSpec = {
  parse: (v) => (v === 'all' ? 'all' : /^\d+(;\d+)*$/.test(v) ? v.split(';').map(Number) : undefined),
};
const positiveNumber: OptionSpec = { parse: (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? Number(v) : undefined) };

const GENERAL_OPTIONS: Record<string, OptionSpec> = {
  bearings: perCoordinate,
  radiuses: perCoordinate,
  hints: perCoordinate,
  approaches: perCoordinate,
  generate_hints: boolean,
  skip_waypoints: boolean,
  exclude: { parse: (v) => v.split(',') },
  snapping: oneOf('default', 'any'),
};

const ROUTE_ANNOTATIONS = ['nodes', 'distance', 'duration', 'datasources', 'weight', 'speed'];
const ROUTE_OPTIONS: Record<string, OptionSpec> = {
  ...GENERAL_OPTIONS,
  alternatives: { parse: (v) => (v === 'true' || v === 'false' ? v === 'true' : /^\d+$/.test(v) ? Number(v) : undefined) },
  steps: boolean,
  annotations: {
    parse: (v) =>
      v === 'true' ? ROUTE_ANNOTATIONS : v === 'false' ? [] : v.split(',').every((a) => ROUTE_ANNOTATIONS.includes(a)) ? v.split(',') : undefined,
  },
  geometries: oneOf('polyline', 'polyline6', 'geojson'),
  overview: oneOf('simplified', 'full', 'false', 'by_legs'),
  continue_straight: oneOf('default', 'true', 'false'),
  waypoints: indexList,
};

const TABLE_ANNOTATIONS = ['duration', 'distance'];
const TABLE_OPTIONS: Record<string, OptionSpec> = {
  ...GENERAL_OPTIONS,
  sources: indexList,
  destinations: indexList,
  annotations: { parse: (v) => (v.split(',').every((a) => TABLE_ANNOTATIONS.includes(a)) ? v.split(',') : undefined) },
  fallback_speed: positiveNumber,
  fallback_coordinate: oneOf('input', 'snapped'),
  scale_factor: positiveNumber,
};

/** `/route/v1/driving/7.41,43.73;7.42,43.74` → coordinates; positions count from the service segment, as OSRM does. */
function parseCoordinates(raw: string, offset: number): LngLat[] {
  const polyline = /^polyline(6?)\((.+)\)$/.exec(raw);
  if (polyline) {
    try {
      return decodePolyline(decodeURIComponent(polyline[2]), polyline[1] ? 6 : 5);
    } catch {
      throw new OsrmAnswerError('InvalidUrl', `URL string malformed close to position ${offset}`);
    }
  }
  const number = /^-?(\d+(\.\d*)?|\.\d+)$/;
  const coordinates: LngLat[] = [];
  let position = offset;
  for (const pair of raw.split(';')) {
    const parts = pair.split(',');
    if (parts.length !== 2 || !number.test(parts[0]) || !number.test(parts[1])) {
      throw new OsrmAnswerError('InvalidUrl', `URL string malformed close to position ${position}`);
    }
    coordinates.push([Number(parts[0]), Number(parts[1])]);
    position += pair.length + 1;
  }
  for (const [lng, lat] of coordinates) {
    if (!(lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90)) {
      throw new OsrmAnswerError('InvalidValue', 'Invalid coordinate value.');
    }
  }
  return coordinates;
}

function parseOptions(rawQuery: string, specs: Record<string, OptionSpec>, queryOffset: number): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (!rawQuery) return options;
  let position = queryOffset;
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    const spec = specs[key];
    if (!spec || eq === -1) throw new OsrmAnswerError('InvalidQuery', `Query string malformed close to position ${position}`);
    const value = spec.parse(decodeURIComponent(part.slice(eq + 1)));
    if (value === undefined) {
      throw new OsrmAnswerError('InvalidQuery', `Query string malformed close to position ${position + eq + 1}`);
    }
    options[key] = value;
    position += part.length + 1;
  }
  return options;
}

/** Service path (from `/route` or `/table`), its coordinates segment and raw query, as the client sent them. */
function requestParts(ctx: Context): { coordinates: string; coordinatesAt: number; query: string; queryAt: number } {
  const url = ctx.originalUrl;
  const start = url.indexOf('/osrm/') + '/osrm'.length;
  const q = url.indexOf('?', start);
  const path = q === -1 ? url.slice(start) : url.slice(start, q);
  const lastSlash = path.lastIndexOf('/');
  let coordinates = path.slice(lastSlash + 1);
  try {
    coordinates = decodeURIComponent(coordinates);
  } catch {
    // keep raw: parseCoordinates reports where it is malformed
  }
  coordinates = coordinates.replace(/\.json$/, '');
  return { coordinates, coordinatesAt: lastSlash + 1, query: q === -1 ? '' : url.slice(q + 1), queryAt: path.length + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Answer shapes.

const round1 = (x: number) => Math.round(x * 10) / 10;

function geometryOf(coordinates: LngLat[], format: Geometries): unknown {
  if (format === 'geojson') return { type: 'LineString', coordinates };
  return encodePolyline(coordinates, format === 'polyline6' ? 6 : 5);
}

function waypointOf(w: SnappedWaypoint | undefined, input: LngLat, generateHints: boolean) {
  const waypoint: Record<string, unknown> = {};
  // OSRM's hint is opaque to clients; we have no snapping state to resume, so an empty one (hints are ignored).
  if (generateHints) waypoint.hint = '';
  waypoint.location = w?.location ?? input;
  waypoint.name = w?.name ?? '';
  waypoint.distance = w?.distanceM ?? 0;
  return waypoint;
}

/** OSRM's leg summary: the names of the two longest stretches, in driving order. */
function summaryOf(steps: RouteStep[]): string {
  const named = steps.filter((s) => typeof s.name === 'string' && s.name !== '') as (RouteStep & { name: string; distance: number })[];
  const byName = new Map<string, { distance: number; first: number }>();
  named.forEach((s, i) => {
    const entry = byName.get(s.name) ?? { distance: 0, first: i };
    entry.distance += s.distance;
    byName.set(s.name, entry);
  });
  return [...byName.entries()]
    .sort((a, b) => b[1].distance - a[1].distance)
    .slice(0, 2)
    .sort((a, b) => a[1].first - b[1].first)
    .map(([name]) => name)
    .join(', ');
}

function stepOf(step: RouteStep, format: Geometries): RouteStep {
  const geometry = step.geometry as { coordinates?: LngLat[] } | string | undefined;
  if (format === 'geojson' || typeof geometry !== 'object' || !geometry?.coordinates) return step;
  return { ...step, geometry: geometryOf(geometry.coordinates, format) };
}

function routeAnswer(result: RouteResult, points: LngLat[], options: Record<string, unknown>) {
  const format = (options.geometries as Geometries | undefined) ?? 'polyline';
  const overview = (options.overview as string | undefined) ?? 'simplified';
  const wantSteps = options.steps === true;
  const annotations = (options.annotations as string[] | undefined) ?? [];
  const legs = result.legs.map((leg) => {
    const steps = wantSteps ? (leg.steps ?? []).map((s) => stepOf(s, format)) : [];
    const answer: Record<string, unknown> = {
      steps,
      weight: round1(leg.durationS),
      summary: wantSteps ? summaryOf(leg.steps ?? []) : '',
      duration: round1(leg.durationS),
      distance: round1(leg.distanceM),
    };
    if (annotations.length > 0 && leg.annotation) {
      const a = leg.annotation;
      const annotation: Record<string, unknown> = {};
      if (annotations.includes('distance')) annotation.distance = a.distanceM;
      if (annotations.includes('duration')) annotation.duration = a.durationS;
      if (annotations.includes('weight')) annotation.weight = a.durationS;
      if (annotations.includes('speed')) annotation.speed = a.distanceM.map((m, i) => (a.durationS[i] > 0 ? round1(m / a.durationS[i]) : 0));
      answer.annotation = annotation;
    }
    return answer;
  });
  const route: Record<string, unknown> = {
    legs,
    weight_name: 'duration',
    weight: round1(result.durationS),
    duration: round1(result.durationS),
    distance: round1(result.distanceM),
  };
  if (overview !== 'false') {
    route.geometry = geometryOf(overview === 'simplified' ? simplify(result.coordinates) : result.coordinates, format);
  }
  const body: Record<string, unknown> = { code: 'Ok', routes: [route] };
  if (options.skip_waypoints !== true) {
    body.waypoints = points.map((p, i) => waypointOf(result.waypoints?.[i], p, options.generate_hints !== false));
  }
  return body;
}

function indices(option: unknown, count: number, what: string): number[] {
  if (option === undefined || option === 'all') return Array.from({ length: count }, (_, i) => i);
  const list = option as number[];
  if (list.some((i) => i >= count)) throw new OsrmAnswerError('InvalidOptions', `${what} indices are out of bounds`);
  return list;
}

const OSRM_CODES = new Set(['InvalidUrl', 'InvalidQuery', 'InvalidOptions', 'InvalidValue', 'NoRoute', 'NoSegment', 'NoTable', 'TooBig']);

/** The only place these endpoints turn a failure into an answer. */
function answerError(ctx: Context, err: unknown): void {
  if (err instanceof OsrmAnswerError) {
    ctx.status = err.status;
    ctx.body = { code: err.code, message: err.message };
  } else if (err instanceof RouterError && OSRM_CODES.has(err.code)) {
    ctx.status = 400;
    ctx.body = { code: err.code, message: err.message };
  } else if (err instanceof RouterError) {
    ctx.status = 503;
    ctx.body = { code: err.code, message: err.message };
  } else {
    throw err;
  }
}

export function osrmRoutes(router: Router): KoaRouter {
  const routes = new KoaRouter({ prefix: '/osrm' });

  routes.get('/route/v1/:profile/:coordinates', async (ctx) => {
    try {
      const parts = requestParts(ctx);
      const points = parseCoordinates(parts.coordinates, parts.coordinatesAt);
      const options = parseOptions(parts.query, ROUTE_OPTIONS, parts.queryAt);
      if (points.length < 2) throw new OsrmAnswerError('InvalidOptions', 'Number of coordinates needs to be at least two.');
      const result = await router.route(points, { steps: options.steps === true });
      ctx.body = routeAnswer(result, points, options);
    } catch (err) {
      answerError(ctx, err);
    }
  });

  routes.get('/table/v1/:profile/:coordinates', async (ctx) => {
    try {
      const parts = requestParts(ctx);
      const points = parseCoordinates(parts.coordinates, parts.coordinatesAt);
      const options = parseOptions(parts.query, TABLE_OPTIONS, parts.queryAt);
      if (points.length < 1) throw new OsrmAnswerError('InvalidOptions', 'Number of coordinates needs to be at least one.');
      const sourceIdx = indices(options.sources, points.length, 'Source');
      const destinationIdx = indices(options.destinations, points.length, 'Destination');
      const annotations = (options.annotations as string[] | undefined) ?? ['duration'];
      const result = await router.table(
        sourceIdx.map((i) => points[i]),
        destinationIdx.map((i) => points[i]),
      );
      const scale = (options.scale_factor as number | undefined) ?? 1;
      const body: Record<string, unknown> = { code: 'Ok' };
      if (annotations.includes('duration')) {
        body.durations = result.durationsS.map((row) => row.map((d) => (d === null ? null : round1(d * scale))));
      }
      if (annotations.includes('distance')) body.distances = result.distancesM;
      if (options.skip_waypoints !== true) {
        const hints = options.generate_hints !== false;
        body.sources = sourceIdx.map((p, i) => waypointOf(result.sources?.[i], points[p], hints));
        body.destinations = destinationIdx.map((p, i) => waypointOf(result.destinations?.[i], points[p], hints));
      }
      ctx.body = body;
    } catch (err) {
      answerError(ctx, err);
    }
  });

  return routes;
}
