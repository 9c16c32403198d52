/**
 * Car profile: which OSM ways a car may use, how fast, in which direction, and what a turn costs. Pure functions
 * of tags and angles, kept apart from the graph so the rules can be read (and tested) on their own.
 *
 * The numbers follow OSRM's car profile (osrm-backend 6.0 `profiles/car.lua` and `lib/way_handlers.lua`), so that
 * the embedded router's durations are those a real OSRM gives on the same extract: the speed table by `highway`
 * class, `maxspeed` at 80 %, surface/tracktype/smoothness caps, the sigmoid turn penalty, 20 s for a U-turn, 2 s
 * for a traffic signal. Like OSRM, the route is chosen on a "weight" (duration with penalties for narrow, service
 * and side roads, and a prohibitive cost to enter a destination-only road) while the duration reported is the
 * plain one.
 */

/** Speed per `highway` class, km/h (OSRM car.lua `speeds.highway`). */
export const SPEED_KMH: Readonly<Record<string, number>> = {
  motorway: 90,
  motorway_link: 45,
  trunk: 85,
  trunk_link: 40,
  primary: 65,
  primary_link: 30,
  secondary: 55,
  secondary_link: 25,
  tertiary: 40,
  tertiary_link: 20,
  unclassified: 25,
  residential: 25,
  living_street: 10,
  service: 15,
};

/** Speed of a way outside the table that an access tag opens to cars (e.g. `highway=track` + `motor_vehicle=yes`). */
export const DEFAULT_SPEED_KMH = 10;

/** A posted limit is a ceiling, not an average: like OSRM, drive at 80 % of `maxspeed` (it replaces the class speed). */
export const MAXSPEED_FACTOR = 0.8;

/** Caps by surface, tracktype and smoothness, km/h (OSRM car.lua). */
const SURFACE_SPEEDS: Readonly<Record<string, number>> = {
  cement: 80, compacted: 80, fine_gravel: 80,
  paving_stones: 60, metal: 60, bricks: 60,
  grass: 40, wood: 40, sett: 40, grass_paver: 40, gravel: 40, unpaved: 40, ground: 40, dirt: 40, pebblestone: 40, tartan: 40,
  cobblestone: 30, clay: 30,
  earth: 20, stone: 20, rocky: 20, sand: 20,
  mud: 10,
};
const TRACKTYPE_SPEEDS: Readonly<Record<string, number>> = { grade1: 60, grade2: 40, grade3: 30, grade4: 25, grade5: 20 };
const SMOOTHNESS_SPEEDS: Readonly<Record<string, number>> = {
  intermediate: 80, bad: 40, very_bad: 20, horrible: 10, very_horrible: 5, impassable: 0,
};

/** Implicit limits (`maxspeed=FR:urban`): the exceptions by country, then the defaults by road kind. */
const MAXSPEED_TABLE: Readonly<Record<string, number>> = {
  'fr:rural': 80, 'de:rural': 100, 'de:motorway': 0, 'ch:rural': 80, 'ch:trunk': 100, 'ch:motorway': 120,
  'be:motorway': 120, 'at:rural': 100, 'at:trunk': 100, 'es:trunk': 90, 'it:rural': 90, 'nl:rural': 80, 'nl:trunk': 100,
  'uk:nsl_single': (60 * 1609) / 1000, 'uk:nsl_dual': (70 * 1609) / 1000, 'uk:motorway': (70 * 1609) / 1000,
  'gb:nsl_single': (60 * 1609) / 1000, 'gb:nsl_dual': (70 * 1609) / 1000, 'gb:motorway': (70 * 1609) / 1000,
  none: 140,
};
const MAXSPEED_DEFAULT: Readonly<Record<string, number>> = { urban: 50, rural: 90, trunk: 110, motorway: 130 };

/** Turn cost (OSRM car.lua `process_turn`): a sigmoid of the angle up to TURN_PENALTY_S, left turns dearer. */
export const TURN_PENALTY_S = 7.5;
export const TURN_BIAS = 1.075;
export const U_TURN_PENALTY_S = 20;
/** Node obstacles (OSRM lib/obstacles.lua): seconds lost at a traffic signal, a stop sign, a give-way sign. */
export const TRAFFIC_SIGNAL_PENALTY_S = 2;
export const STOP_PENALTY_S = 2;
export const GIVE_WAY_PENALTY_S = 1;
/** OSRM's `constants.max_turn_weight`: the weight of entering a destination-only road from an open one. */
export const RESTRICTED_ENTRY_WEIGHT = 3276.7;
/** Weight multipliers (OSRM way_handlers `penalties`): the route avoids these roads without driving them slower. */
const SIDE_ROAD_MULTIPLIER = 0.8;
const NARROW_MULTIPLIER = 0.5;
const SERVICE_MULTIPLIERS: Readonly<Record<string, number>> = {
  alley: 0.5, parking: 0.5, parking_aisle: 0.5, driveway: 0.5, 'drive-through': 0.5, 'drive-thru': 0.5,
};

/** Bumped whenever these rules change, so cached graphs built with older rules are rebuilt. */
export const PROFILE_VERSION = 2;

export interface WayRules {
  speedKmh: number;
  forward: boolean;
  backward: boolean;
  roundabout: boolean;
  /** Weight = duration / weightFactor (≤ 1): how much the route avoids this way. */
  weightFactor: number;
  /** Destination-only (private, delivery, destination, customers): reachable, not crossed. */
  restricted: boolean;
}

export type Tags = Record<string, string | undefined>;

const ACCESS_KEYS = ['motorcar', 'motor_vehicle', 'vehicle', 'access'];
const ACCESS_WHITELIST = new Set(['yes', 'motorcar', 'motor_vehicle', 'vehicle', 'permissive', 'designated', 'hov']);
const ACCESS_BLACKLIST = new Set([
  'no', 'agricultural', 'forestry', 'emergency', 'psv', 'customers', 'private', 'delivery', 'destination',
]);
const RESTRICTED_ACCESS = new Set(['private', 'delivery', 'destination', 'customers']);
const RESTRICTED_HIGHWAYS = new Set([
  'motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link',
  'tertiary', 'tertiary_link', 'residential', 'living_street', 'unclassified', 'service',
]);
const AVOID_HIGHWAYS = new Set(['steps', 'construction', 'proposed']);
const CONSTRUCTION_WHITELIST = new Set(['no', 'widening', 'minor']);

/** Most specific access tag wins (motorcar > motor_vehicle > vehicle > access), as in OSM's access hierarchy. */
function accessTag(tags: Tags): string | undefined {
  for (const key of ACCESS_KEYS) if (tags[key] !== undefined) return tags[key];
  return undefined;
}

/** Leading number of a tag value (`50`, `50 km/h`, `3.5`), as Lua's `tonumber(s:match("%d*"))`. */
function leadingNumber(value: string): number | undefined {
  const m = /^\s*(\d+)/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** `maxspeed` in km/h: numeric (`50`, `50 km/h`, `30 mph`) or implicit (`FR:urban`); undefined when unknown or 0. */
export function parseMaxspeedKmh(value: string | undefined): number | undefined {
  if (!value) return undefined;
  let n = leadingNumber(value);
  if (n !== undefined) {
    if (/mph|mp\/h/.test(value)) n *= 1.609;
  } else {
    const lower = value.toLowerCase();
    n = MAXSPEED_TABLE[lower] ?? MAXSPEED_DEFAULT[/^[a-z]{2}:([a-z]+)/.exec(lower)?.[1] ?? ''] ?? 0;
  }
  return n > 0 ? n : undefined;
}

/** The rules for a car on this way, or null when a car may not use it at all. */
export function carRules(tags: Tags): WayRules | null {
  const highway = tags.highway;
  if (!highway || AVOID_HIGHWAYS.has(highway)) return null;
  if (tags.area === 'yes' || tags.oneway === 'reversible' || tags.impassable === 'yes' || tags.status === 'impassable') {
    return null;
  }
  if (tags.construction !== undefined && !CONSTRUCTION_WHITELIST.has(tags.construction)) return null;
  if (tags.proposed !== undefined || tags.service === 'emergency_access') return null;

  const access = accessTag(tags);
  const restricted = access !== undefined && RESTRICTED_ACCESS.has(access) && RESTRICTED_HIGHWAYS.has(highway);
  if (access !== undefined && ACCESS_BLACKLIST.has(access) && !restricted) return null;

  let speedKmh = SPEED_KMH[highway];
  if (speedKmh === undefined) {
    // Outside the table (track, road, pedestrian…): only when an access tag opens it, at a walking-pace speed.
    if (access === undefined || ACCESS_BLACKLIST.has(access)) return null;
    speedKmh = DEFAULT_SPEED_KMH;
  }
  const maxspeed = parseMaxspeedKmh(tags['maxspeed:advisory'] ?? tags.maxspeed ?? tags['source:maxspeed'] ?? tags['maxspeed:type']);
  if (maxspeed !== undefined) speedKmh = maxspeed * MAXSPEED_FACTOR;
  for (const [value, table] of [
    [tags.surface, SURFACE_SPEEDS],
    [tags.tracktype, TRACKTYPE_SPEEDS],
    [tags.smoothness, SMOOTHNESS_SPEEDS],
  ] as const) {
    const cap = value === undefined ? undefined : table[value];
    if (cap !== undefined) speedKmh = Math.min(speedKmh, cap);
  }
  if (!(speedKmh > 0)) return null;

  const roundabout = tags.junction === 'roundabout' || tags.junction === 'circular';
  const oneway = tags['oneway:motorcar'] ?? tags['oneway:motor_vehicle'] ?? tags['oneway:vehicle'] ?? tags.oneway;
  let forward = true;
  let backward = true;
  if (oneway === '-1') {
    forward = false;
  } else if (oneway === 'yes' || oneway === '1' || oneway === 'true') {
    backward = false;
  } else if (oneway !== 'no' && (roundabout || highway === 'motorway')) {
    backward = false; // implied one-way
  }

  let weightFactor = 1;
  const service = tags.service === undefined ? undefined : SERVICE_MULTIPLIERS[tags.service];
  if (service !== undefined) weightFactor = Math.min(weightFactor, service);
  const width = tags.width === undefined ? undefined : leadingNumber(tags.width);
  const lanes = tags.lanes === undefined ? undefined : leadingNumber(tags.lanes);
  if ((width !== undefined && width <= 3) || (lanes !== undefined && lanes <= 1 && forward && backward)) {
    weightFactor = Math.min(weightFactor, NARROW_MULTIPLIER);
  }
  if (oneway === 'alternating') weightFactor = Math.min(weightFactor, 0.4);
  if (tags.side_road === 'yes' || tags.side_road === 'rotary') weightFactor = Math.min(weightFactor, SIDE_ROAD_MULTIPLIER);

  return { speedKmh, forward, backward, roundabout, weightFactor, restricted };
}

/** What a node does to the cars passing it. */
export interface NodeRules {
  /** Seconds lost passing it (traffic signal, stop, give way). */
  delayS: number;
  /** 'forward' / 'backward': only when driving along / against the way's drawing direction. */
  direction?: 'forward' | 'backward';
  /** A barrier a car cannot pass (a U-turn in front of it is allowed). */
  barrier: boolean;
  /** A turning circle or loop: U-turns allowed. */
  turning: boolean;
}

const BARRIER_WHITELIST = new Set([
  'cattle_grid', 'border_control', 'toll_booth', 'sally_port', 'gate', 'lift_gate', 'no', 'entrance', 'height_restrictor', 'arch',
]);

/** The rules of a tagged node, or null when it changes nothing for a car (OSRM car.lua `process_node`, obstacles). */
export function nodeRules(tags: Tags): NodeRules | null {
  let barrier = false;
  const access = accessTag(tags);
  if (access !== undefined) {
    barrier = ACCESS_BLACKLIST.has(access) && !RESTRICTED_ACCESS.has(access);
  } else if (tags.barrier !== undefined) {
    const flatKerb = tags.kerb === 'lowered' || tags.kerb === 'flush';
    const crossingKerb = tags.barrier === 'kerb' && tags.highway === 'crossing';
    barrier = !BARRIER_WHITELIST.has(tags.barrier) && tags.bollard !== 'rising' && !flatKerb && !crossingKerb;
  }
  let delayS = 0;
  let directionTag = tags.direction;
  if (tags.highway === 'traffic_signals') {
    delayS = TRAFFIC_SIGNAL_PENALTY_S;
    directionTag = tags['traffic_signals:direction'] ?? directionTag;
  } else if (tags.highway === 'stop' && tags.stop !== 'minor') {
    delayS = STOP_PENALTY_S;
  } else if (tags.highway === 'give_way') {
    delayS = GIVE_WAY_PENALTY_S;
  }
  const turning = tags.highway === 'turning_circle' || tags.highway === 'turning_loop';
  if (!barrier && delayS === 0 && !turning) return null;
  const direction = directionTag === 'forward' || directionTag === 'backward' ? directionTag : undefined;
  return { delayS, direction, barrier, turning };
}

/**
 * Seconds a turn costs (OSRM car.lua `process_turn`), `angleDeg` in (-180, 180]: 0 straight on, positive to the
 * right. Only at a real intersection (more than two roads) or for a U-turn; a bend where two ways join is free.
 */
export function turnPenaltyS(angleDeg: number, roadCount: number, uTurn: boolean): number {
  if (roadCount <= 2 && !uTurn) return 0;
  const penalty =
    angleDeg >= 0
      ? TURN_PENALTY_S / (1 + Math.exp(-((13 / TURN_BIAS) * (angleDeg / 180) - 6.5 * TURN_BIAS)))
      : TURN_PENALTY_S / (1 + Math.exp(-((13 * TURN_BIAS) * (-angleDeg / 180) - 6.5 / TURN_BIAS)));
  return penalty + (uTurn ? U_TURN_PENALTY_S : 0);
}
