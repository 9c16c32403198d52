import type { LngLat } from '../types.ts';
import { haversineM } from '../../geo/sphere.ts';
import { arcDurationS, type Graph } from './graph.ts';

/**
 * A driven stretch of one edge, from `fromM` to `toM` metres along the edge's shape (toM < fromM: driven against
 * the direction the way is drawn). A route leg is a list of pieces: part of the start edge, whole edges, part of
 * the end edge.
 */
export interface Piece {
  edge: number;
  fromM: number;
  toM: number;
}

export const pieceLengthM = (p: Piece) => Math.abs(p.toM - p.fromM);

/** The arc a piece drives (edge * 2 + 1 when against the drawing direction). */
export const pieceArc = (p: Piece) => p.edge * 2 + (p.toM < p.fromM ? 1 : 0);

/** Seconds per metre along a piece (its arc's duration, signals on it included, spread over its length). */
export function pieceSecPerM(graph: Graph, p: Piece): number {
  const lengthM = graph.edgeLengthM[p.edge];
  return lengthM > 0 ? arcDurationS(graph, pieceArc(p)) / lengthM : 0;
}

export function pieceDurationS(graph: Graph, p: Piece): number {
  return pieceSecPerM(graph, p) * pieceLengthM(p);
}

/** Pieces of a whole arc (edge * 2 + direction). */
export function arcPiece(graph: Graph, arc: number): Piece {
  const edge = arc >> 1;
  const lengthM = graph.edgeLengthM[edge];
  return arc & 1 ? { edge, fromM: lengthM, toM: 0 } : { edge, fromM: 0, toM: lengthM };
}

/** The shape of a piece in driving order, cut at both ends. */
export function pieceCoordinates(graph: Graph, p: Piece): LngLat[] {
  const lo = Math.min(p.fromM, p.toM);
  const hi = Math.max(p.fromM, p.toM);
  const { geomLng, geomLat, edgeGeomStart } = graph;
  const first = edgeGeomStart[p.edge];
  const last = edgeGeomStart[p.edge + 1] - 1;
  const out: LngLat[] = [];
  let walkedM = 0;
  for (let i = first; i < last; i++) {
    const segM = haversineM(geomLng[i], geomLat[i], geomLng[i + 1], geomLat[i + 1]);
    const segEndM = walkedM + segM;
    const at = (m: number): LngLat => {
      const t = segM > 0 ? Math.min(1, Math.max(0, (m - walkedM) / segM)) : 0;
      return [geomLng[i] + (geomLng[i + 1] - geomLng[i]) * t, geomLat[i] + (geomLat[i + 1] - geomLat[i]) * t];
    };
    if (out.length === 0 && lo <= segEndM) out.push(at(lo));
    if (out.length > 0) {
      if (hi <= segEndM || i === last - 1) {
        out.push(at(Math.min(hi, segEndM)));
        break;
      }
      out.push([geomLng[i + 1], geomLat[i + 1]]);
    }
    walkedM = segEndM;
  }
  if (out.length === 0) out.push([geomLng[last], geomLat[last]]);
  if (out.length === 1) out.push(out[0]);
  return p.toM < p.fromM ? out.reverse() : out;
}

/** Append a line to another, dropping the repeated joint. */
export function appendLine(target: LngLat[], line: LngLat[]): void {
  for (const p of line) {
    const q = target[target.length - 1];
    if (q && q[0] === p[0] && q[1] === p[1]) continue;
    target.push(p);
  }
}
