import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Hierarchy } from './ch.ts';
import type { GraphData } from './graph.ts';
import { PROFILE_VERSION } from './profile.ts';

/**
 * Binary cache of a built graph: `CMRG` magic, format version, a JSON header (array names, types, lengths, the
 * string table), then each typed array 8-byte aligned. Keyed by the pbf's SHA-256 and the profile version, so a new
 * extract or new rules rebuild it; anything unreadable is treated as missing.
 */
const MAGIC = 0x47524d43; // 'CMRG' little-endian
const FORMAT_VERSION = 3;

const ARRAY_FIELDS = [
  ['nodeLng', Float64Array],
  ['nodeLat', Float64Array],
  ['edgeFrom', Int32Array],
  ['edgeTo', Int32Array],
  ['edgeLengthM', Float64Array],
  ['edgeDurationS', Float64Array],
  ['edgeWeightS', Float64Array],
  ['edgeFlags', Uint8Array],
  ['edgeName', Int32Array],
  ['edgeRef', Int32Array],
  ['edgeGeomStart', Int32Array],
  ['geomLng', Float64Array],
  ['geomLat', Float64Array],
  ['arcDelayS', Float64Array],
  ['nodeFlags', Uint8Array],
  ['nodeDelayS', Float64Array],
  ['bannedFrom', Int32Array],
  ['bannedTo', Int32Array],
  // Contraction hierarchy (empty when not built).
  ['chRank', Int32Array],
  ['chUpStart', Int32Array],
  ['chUpNode', Int32Array],
  ['chUpWeight', Float64Array],
  ['chUpDurationS', Float64Array],
  ['chUpDistanceM', Float64Array],
  ['chDownStart', Int32Array],
  ['chDownNode', Int32Array],
  ['chDownWeight', Float64Array],
  ['chDownDurationS', Float64Array],
  ['chDownDistanceM', Float64Array],
] as const;

/** What a cache file holds: the graph, and its contraction hierarchy when one was built. */
export interface CachedGraph {
  data: GraphData;
  hierarchy?: Hierarchy;
}

type Arrays = Record<(typeof ARRAY_FIELDS)[number][0], Int32Array | Float64Array | Uint8Array>;

function toArrays({ data, hierarchy: h }: CachedGraph): Arrays {
  const none = new Int32Array(0);
  const noneF = new Float64Array(0);
  return {
    ...data,
    chRank: h?.rank ?? none,
    chUpStart: h?.up.start ?? none,
    chUpNode: h?.up.node ?? none,
    chUpWeight: h?.up.weight ?? noneF,
    chUpDurationS: h?.up.durationS ?? noneF,
    chUpDistanceM: h?.up.distanceM ?? noneF,
    chDownStart: h?.down.start ?? none,
    chDownNode: h?.down.node ?? none,
    chDownWeight: h?.down.weight ?? noneF,
    chDownDurationS: h?.down.durationS ?? noneF,
    chDownDistanceM: h?.down.distanceM ?? noneF,
  };
}

type ArrayField = (typeof ARRAY_FIELDS)[number][0];

interface Header {
  profileVersion: number;
  lengths: Record<ArrayField, number>;
  strings: string[];
  shortcutCount?: number;
}

const align8 = (n: number) => (n + 7) & ~7;

export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

export function cacheFileName(pbfSha256: string): string {
  return `graph-${pbfSha256.slice(0, 32)}-p${PROFILE_VERSION}-f${FORMAT_VERSION}.bin`;
}

export function encodeGraph(cached: CachedGraph): Buffer {
  const data = toArrays(cached);
  const lengths = Object.fromEntries(ARRAY_FIELDS.map(([name]) => [name, data[name].length])) as Header['lengths'];
  const header: Header = {
    profileVersion: PROFILE_VERSION,
    lengths,
    strings: cached.data.strings,
    shortcutCount: cached.hierarchy?.shortcutCount,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  let size = align8(12 + headerBytes.length);
  for (const [name] of ARRAY_FIELDS) size += align8(data[name].byteLength);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(out, 12);
  let offset = align8(12 + headerBytes.length);
  for (const [name] of ARRAY_FIELDS) {
    const array = data[name];
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += align8(array.byteLength);
  }
  return out;
}

/** Decode a cache file; throws on any inconsistency (the caller rebuilds). */
export function decodeGraph(bytes: Buffer): CachedGraph {
  if (bytes.length < 12 || bytes.readUInt32LE(0) !== MAGIC || bytes.readUInt32LE(4) !== FORMAT_VERSION) {
    throw new Error('not a graph cache of this format');
  }
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')) as Header;
  if (header.profileVersion !== PROFILE_VERSION) throw new Error('graph cache built with other profile rules');
  // Copy into a fresh 8-aligned buffer so typed arrays can view it directly.
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  let offset = align8(12 + headerLength);
  const arrays: Partial<Record<ArrayField, unknown>> = {};
  for (const [name, Type] of ARRAY_FIELDS) {
    const length = header.lengths[name];
    const byteLength = length * Type.BYTES_PER_ELEMENT;
    if (!Number.isInteger(length) || offset + byteLength > bytes.length) throw new Error(`graph cache truncated at ${name}`);
    arrays[name] = new Type(buffer, offset, length);
    offset += align8(byteLength);
  }
  if (offset !== bytes.length) throw new Error('graph cache has trailing bytes');
  const a = arrays as Arrays;
  const data: GraphData = {
    nodeLng: a.nodeLng as Float64Array,
    nodeLat: a.nodeLat as Float64Array,
    edgeFrom: a.edgeFrom as Int32Array,
    edgeTo: a.edgeTo as Int32Array,
    edgeLengthM: a.edgeLengthM as Float64Array,
    edgeDurationS: a.edgeDurationS as Float64Array,
    edgeWeightS: a.edgeWeightS as Float64Array,
    edgeFlags: a.edgeFlags as Uint8Array,
    edgeName: a.edgeName as Int32Array,
    edgeRef: a.edgeRef as Int32Array,
    edgeGeomStart: a.edgeGeomStart as Int32Array,
    geomLng: a.geomLng as Float64Array,
    geomLat: a.geomLat as Float64Array,
    strings: header.strings,
    arcDelayS: a.arcDelayS as Float64Array,
    nodeFlags: a.nodeFlags as Uint8Array,
    nodeDelayS: a.nodeDelayS as Float64Array,
    bannedFrom: a.bannedFrom as Int32Array,
    bannedTo: a.bannedTo as Int32Array,
  };
  const edges = data.edgeFrom.length;
  const nodes = data.nodeLng.length;
  if (data.edgeGeomStart.length !== edges + 1 || data.edgeGeomStart[edges] !== data.geomLng.length) {
    throw new Error('graph cache is inconsistent');
  }
  if (
    data.edgeWeightS.length !== edges ||
    data.arcDelayS.length !== 2 * edges ||
    data.nodeFlags.length !== nodes ||
    data.nodeDelayS.length !== nodes ||
    data.bannedFrom.length !== data.bannedTo.length
  ) {
    throw new Error('graph cache is inconsistent');
  }
  if (a.chRank.length === 0) return { data };
  // The hierarchy is over the turn graph: one node per arc.
  const arcs = 2 * edges;
  if (a.chRank.length !== arcs || a.chUpStart.length !== arcs + 1 || a.chDownStart.length !== arcs + 1) {
    throw new Error('graph cache hierarchy is inconsistent');
  }
  return {
    data,
    hierarchy: {
      rank: a.chRank as Int32Array,
      up: {
        start: a.chUpStart as Int32Array,
        node: a.chUpNode as Int32Array,
        weight: a.chUpWeight as Float64Array,
        durationS: a.chUpDurationS as Float64Array,
        distanceM: a.chUpDistanceM as Float64Array,
      },
      down: {
        start: a.chDownStart as Int32Array,
        node: a.chDownNode as Int32Array,
        weight: a.chDownWeight as Float64Array,
        durationS: a.chDownDurationS as Float64Array,
        distanceM: a.chDownDistanceM as Float64Array,
      },
      shortcutCount: header.shortcutCount ?? 0,
    },
  };
}

export async function readGraphCache(file: string): Promise<CachedGraph | undefined> {
  try {
    return decodeGraph(await fs.readFile(file));
  } catch {
    return undefined;
  }
}

/** Write to a temporary file then rename, so a concurrent reader never sees half a cache. */
export async function writeGraphCache(file: string, cached: CachedGraph): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, encodeGraph(cached));
  await fs.rename(tmp, file);
}
