/**
 * Car profile: which OSM ways a car may use, how fast, and in which direction. Pure functions of a way's tags,
 * kept apart from the graph so the rules can be read (and tested) on their own.
 */

/** Free-flow speed per `highway` class, km/h. Classes not listed here are not for cars. */
export const SPEED_KMH: Readonly<Record<string, number>> = {
  motorway: 110,
  motorway_link: 60,
  trunk: 90,
  trunk_link: 50,
  primary: 80,
  primary_link: 50,
  secondary: 70,
  secondary_link: 45,
  tertiary: 60,
  tertiary_link: 40,
  unclassified: 45,
  road: 40,
  residential: 30,
  living_street: 10,
  service: 20,
  track: 15,
};

/**
 * A posted limit is a ceiling, not an average: like OSRM's car profile, drive at 80 % of a numeric `maxspeed`.
 */
export const MAXSPEED_FACTOR = 0.8;

/** Bumped whenever these rules change, so cached graphs built with older rules are rebuilt. */
export const PROFILE_VERSION = 1;

export interface WayRules {
  speedKmh: number;
  forward: boolean;
  backward: boolean;
  roundabout: boolean;
}

export type Tags = Record<string, string | undefined>;

const DENY = new Set(['no', 'private', 'agricultural', 'forestry', 'delivery', 'emergency', 'customers']);
const ALLOW = new Set(['yes', 'permissive', 'designated', 'destination']);

/** Most specific access tag wins (motorcar > motor_vehicle > vehicle > access), as in OSM's access hierarchy. */
function carAccess(tags: Tags): 'allow' | 'deny' | undefined {
  for (const key of ['motorcar', 'motor_vehicle', 'vehicle', 'access']) {
    const value = tags[key];
    if (value === undefined) continue;
    if (DENY.has(value)) return 'deny';
    if (ALLOW.has(value)) return 'allow';
  }
  return undefined;
}

/** `maxspeed` in km/h when numeric (`50`, `50 km/h`, `30 mph`); undefined for `FR:urban`, `signals`, etc. */
export function parseMaxspeedKmh(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(km\/h|kmh|mph)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!(n > 0)) return undefined;
  return m[2] === 'mph' ? n * 1.609344 : n;
}

/** The rules for a car on this way, or null when a car may not use it at all. */
export function carRules(tags: Tags): WayRules | null {
  const highway = tags.highway;
  if (!highway) return null;
  const classSpeed = SPEED_KMH[highway];
  if (classSpeed === undefined) return null; // footway, cycleway, path, steps, pedestrian, construction, ...
  if (tags.area === 'yes') return null;
  const access = carAccess(tags);
  if (access === 'deny') return null;
  if (highway === 'track' && access !== 'allow') return null;

  const maxspeed = parseMaxspeedKmh(tags.maxspeed);
  const speedKmh = maxspeed !== undefined ? maxspeed * MAXSPEED_FACTOR : classSpeed;

  const roundabout = tags.junction === 'roundabout' || tags.junction === 'circular';
  const oneway = tags.oneway;
  let forward = true;
  let backward = true;
  if (oneway === '-1' || oneway === 'reverse') {
    forward = false;
  } else if (oneway === 'yes' || oneway === '1' || oneway === 'true') {
    backward = false;
  } else if (oneway !== 'no' && (roundabout || highway === 'motorway')) {
    backward = false; // implied one-way
  }
  return { speedKmh, forward, backward, roundabout };
}
