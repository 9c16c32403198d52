import type { LngLat, RouteStep } from '../types.ts';
import { bearingDeg } from '../../geo/sphere.ts';
import type { Graph } from './graph.ts';
import { BACKWARD, FORWARD, ROUNDABOUT } from './graph.ts';
import { appendLine, type Piece, pieceCoordinates, pieceDurationS, pieceLengthM } from './pieces.ts';

/**
 * OSRM-shaped steps (maneuver depart / turn / new name / continue / roundabout / exit roundabout / arrive, with
 * bearings and modifier) from the pieces of a leg: enough for osrm-text-instructions, not OSRM's full guidance.
 */

/** OSRM's modifier for a change of heading, degrees clockwise. */
export function modifierFor(turnDeg: number): string {
  const a = ((turnDeg % 360) + 360) % 360;
  if (a < 20 || a > 340) return 'straight';
  if (a < 60) return 'slight right';
  if (a < 140) return 'right';
  if (a < 170) return 'sharp right';
  if (a <= 190) return 'uturn';
  if (a < 220) return 'sharp left';
  if (a < 300) return 'left';
  return 'slight left';
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function lineBearing(line: LngLat[], atEnd: boolean): number {
  const n = line.length;
  // Skip repeated points so a zero-length tail does not give a bearing of 0.
  if (atEnd) {
    for (let i = n - 1; i > 0; i--) {
      const a = line[i - 1];
      const b = line[i];
      if (a[0] !== b[0] || a[1] !== b[1]) return bearingDeg(a[0], a[1], b[0], b[1]);
    }
  } else {
    for (let i = 0; i < n - 1; i++) {
      const a = line[i];
      const b = line[i + 1];
      if (a[0] !== b[0] || a[1] !== b[1]) return bearingDeg(a[0], a[1], b[0], b[1]);
    }
  }
  return 0;
}

/** Bearing leaving `node` along an incident arc, and whether a car may drive that way. */
function arcLeaving(graph: Graph, arc: number): { bearing: number; entry: boolean } {
  const e = arc >> 1;
  const first = graph.edgeGeomStart[e];
  const last = graph.edgeGeomStart[e + 1] - 1;
  const { geomLng: x, geomLat: y } = graph;
  const line: LngLat[] = [];
  if (arc & 1) for (let i = last; i >= first; i--) line.push([x[i], y[i]]);
  else for (let i = first; i <= last; i++) line.push([x[i], y[i]]);
  return { bearing: lineBearing(line, false), entry: (graph.edgeFlags[e] & (arc & 1 ? BACKWARD : FORWARD)) !== 0 };
}

/** OSRM's intersection object at a node: every road's bearing, which may be entered, and the in/out roads. */
function intersectionAt(graph: Graph, node: number, inArc: number, outArc: number, location: LngLat) {
  const roads: { bearing: number; entry: boolean; arc: number }[] = [];
  for (let a = graph.incident.start[node]; a < graph.incident.start[node + 1]; a++) {
    const arc = graph.incident.arc[a];
    roads.push({ ...arcLeaving(graph, arc), arc });
  }
  roads.sort((p, q) => p.bearing - q.bearing);
  const bearings = roads.map((r) => Math.round(r.bearing) % 360);
  return {
    location,
    bearings,
    entry: roads.map((r) => r.entry),
    in: Math.max(0, roads.findIndex((r) => r.arc === inArc)),
    out: Math.max(0, roads.findIndex((r) => r.arc === outArc)),
  };
}

interface Draft {
  type: string;
  modifier?: string;
  exit?: number;
  location: LngLat;
  bearingBefore: number;
  bearingAfter: number;
  intersection: Record<string, unknown>;
  edge: number;
  coordinates: LngLat[];
  distanceM: number;
  durationS: number;
}

export interface StepEnds {
  /** Input points (to tell on which side the destination lies). */
  destinationInput: LngLat;
  /** Seconds of the turn before each piece (index k: between pieces k - 1 and k), counted in the step it ends. */
  turnS?: number[];
}

export function buildSteps(graph: Graph, pieces: Piece[], ends: StepEnds): RouteStep[] {
  const lines = pieces.map((p) => pieceCoordinates(graph, p));
  const nameOf = (e: number) => graph.strings[graph.edgeName[e]];
  const refOf = (e: number) => graph.strings[graph.edgeRef[e]];
  const keyOf = (e: number) => `${nameOf(e)}|${refOf(e)}`;
  const isRound = (e: number) => (graph.edgeFlags[e] & ROUNDABOUT) !== 0;
  const arcOf = (p: Piece) => p.edge * 2 + (p.toM < p.fromM ? 1 : 0);
  /** The incident arc at the end node of a piece that points back along it. */
  const backArcOf = (p: Piece) => p.edge * 2 + (p.toM < p.fromM ? 0 : 1);
  const endNodeOf = (p: Piece) => (p.toM < p.fromM ? graph.edgeFrom[p.edge] : graph.edgeTo[p.edge]);
  const degree = (u: number) => graph.incident.start[u + 1] - graph.incident.start[u];
  const canLeaveRoundabout = (u: number) => {
    for (let a = graph.incident.start[u]; a < graph.incident.start[u + 1]; a++) {
      const arc = graph.incident.arc[a];
      if (!isRound(arc >> 1) && arcLeaving(graph, arc).entry) return true;
    }
    return false;
  };

  const start = lines[0][0];
  const firstBearing = lineBearing(lines[0], false);
  const drafts: Draft[] = [
    {
      type: 'depart',
      location: start,
      bearingBefore: 0,
      bearingAfter: firstBearing,
      intersection: { location: start, bearings: [Math.round(firstBearing) % 360], entry: [true], out: 0 },
      edge: pieces[0].edge,
      coordinates: [],
      distanceM: 0,
      durationS: 0,
    },
  ];
  let current = drafts[0];
  let roundaboutEntryBearing = 0;

  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k];
    if (k > 0) {
      current.durationS += ends.turnS?.[k] ?? 0;
      const prev = pieces[k - 1];
      const node = endNodeOf(prev);
      const location: LngLat = [graph.nodeLng[node], graph.nodeLat[node]];
      const before = lineBearing(lines[k - 1], true);
      const after = lineBearing(lines[k], false);
      const modifier = modifierFor(after - before);
      const wasRound = isRound(prev.edge);
      const nowRound = isRound(piece.edge);
      const begin = (type: string, extra: Partial<Draft> = {}) => {
        current = {
          type,
          modifier,
          location,
          bearingBefore: before,
          bearingAfter: after,
          intersection: intersectionAt(graph, node, backArcOf(prev), arcOf(piece), location),
          edge: piece.edge,
          coordinates: [],
          distanceM: 0,
          durationS: 0,
          ...extra,
        };
        drafts.push(current);
      };
      if (nowRound && !wasRound) {
        roundaboutEntryBearing = before;
        begin('roundabout', { exit: 0 });
      } else if (nowRound && wasRound) {
        // Count the exits passed inside the roundabout: roads leaving it that a car could take.
        if (canLeaveRoundabout(node)) current.exit = (current.exit ?? 0) + 1;
      } else if (!nowRound && wasRound && current.type === 'roundabout') {
        const exit = (current.exit ?? 0) + 1;
        current.exit = exit;
        // Like OSRM, the roundabout step is named after the road it is left by.
        current.edge = piece.edge;
        current.modifier = modifierFor(after - roundaboutEntryBearing);
        begin('exit roundabout', { exit, modifier: current.modifier });
      } else if (keyOf(piece.edge) !== keyOf(prev.edge)) {
        begin(modifier === 'straight' ? 'new name' : 'turn');
      } else if (degree(node) > 2 && modifier !== 'straight' && !modifier.startsWith('slight')) {
        begin('continue');
      }
    }
    appendLine(current.coordinates, lines[k]);
    current.distanceM += pieceLengthM(piece);
    current.durationS += pieceDurationS(graph, piece);
  }

  const last = pieces[pieces.length - 1];
  const lastLine = lines[lines.length - 1];
  const end = lastLine[lastLine.length - 1];
  const lastBearing = lineBearing(lastLine, true);
  const toInput = bearingDeg(end[0], end[1], ends.destinationInput[0], ends.destinationInput[1]);
  const side = end[0] === ends.destinationInput[0] && end[1] === ends.destinationInput[1] ? undefined : modifierFor(toInput - lastBearing);
  drafts.push({
    type: 'arrive',
    modifier: side === 'left' || side === 'right' ? side : undefined,
    location: end,
    bearingBefore: lastBearing,
    bearingAfter: 0,
    intersection: { location: end, bearings: [Math.round((lastBearing + 180) % 360) % 360], entry: [true], in: 0 },
    edge: last.edge,
    coordinates: [end, end],
    distanceM: 0,
    durationS: 0,
  });

  return drafts.map((d) => {
    const maneuver: Record<string, unknown> = {
      bearing_after: Math.round(d.bearingAfter) % 360,
      bearing_before: Math.round(d.bearingBefore) % 360,
      location: d.location,
      type: d.type,
    };
    if (d.modifier && d.type !== 'depart') maneuver.modifier = d.modifier;
    if (d.exit !== undefined) maneuver.exit = d.exit;
    const ref = refOf(d.edge);
    const step: RouteStep = {
      intersections: [d.intersection],
      driving_side: 'right',
      geometry: { type: 'LineString', coordinates: d.coordinates.length > 1 ? d.coordinates : [d.location, d.location] },
      maneuver,
      name: nameOf(d.edge),
      mode: 'driving',
      weight: round1(d.durationS),
      duration: round1(d.durationS),
      distance: round1(d.distanceM),
    };
    if (ref) step.ref = ref;
    return step;
  });
}
