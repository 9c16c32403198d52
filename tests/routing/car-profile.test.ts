import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import { arcHead, arcTail, turnDurationS } from '../../services/src/routing/embedded/graph.ts';
import { carRules, nodeRules, parseMaxspeedKmh, turnPenaltyS } from '../../services/src/routing/embedded/profile.ts';
import { MONACO_PBF } from './recorded.ts';

/** The car profile's rules, against the numbers of OSRM's car.lua (osrm-backend 6.0). */
describe('car profile (OSRM car.lua)', () => {
  it('speeds by highway class, maxspeed at 80 %, implicit limits, surface caps', () => {
    expect(carRules({ highway: 'motorway' })?.speedKmh).toBe(90);
    expect(carRules({ highway: 'primary' })?.speedKmh).toBe(65);
    expect(carRules({ highway: 'secondary' })?.speedKmh).toBe(55);
    expect(carRules({ highway: 'tertiary' })?.speedKmh).toBe(40);
    expect(carRules({ highway: 'residential' })?.speedKmh).toBe(25);
    expect(carRules({ highway: 'residential', maxspeed: '50' })?.speedKmh).toBe(40);
    expect(carRules({ highway: 'primary', maxspeed: '30 mph' })?.speedKmh).toBeCloseTo(30 * 1.609 * 0.8, 6);
    expect(carRules({ highway: 'secondary', maxspeed: 'FR:urban' })?.speedKmh).toBe(40);
    expect(carRules({ highway: 'secondary', maxspeed: 'FR:rural' })?.speedKmh).toBe(64);
    expect(carRules({ highway: 'primary', surface: 'gravel' })?.speedKmh).toBe(40);
    expect(carRules({ highway: 'primary', surface: 'asphalt' })?.speedKmh).toBe(65);
    expect(parseMaxspeedKmh('signals')).toBeUndefined();
    expect(parseMaxspeedKmh('none')).toBe(140);
  });

  it('who may drive where: tracks only when opened, steps never, destination-only roads reachable but restricted', () => {
    expect(carRules({ highway: 'track' })).toBeNull();
    expect(carRules({ highway: 'track', motor_vehicle: 'yes' })?.speedKmh).toBe(10);
    expect(carRules({ highway: 'steps' })).toBeNull();
    expect(carRules({ highway: 'footway' })).toBeNull();
    expect(carRules({ highway: 'residential', access: 'no' })).toBeNull();
    expect(carRules({ highway: 'residential', access: 'no', motorcar: 'yes' })?.restricted).toBe(false);
    expect(carRules({ highway: 'residential', access: 'destination' })?.restricted).toBe(true);
    expect(carRules({ highway: 'service', service: 'emergency_access' })).toBeNull();
    expect(carRules({ highway: 'primary', oneway: 'reversible' })).toBeNull();
  });

  it('one-ways, implied on motorways and roundabouts', () => {
    expect(carRules({ highway: 'residential', oneway: 'yes' })).toMatchObject({ forward: true, backward: false });
    expect(carRules({ highway: 'residential', oneway: '-1' })).toMatchObject({ forward: false, backward: true });
    expect(carRules({ highway: 'motorway' })).toMatchObject({ forward: true, backward: false });
    expect(carRules({ highway: 'motorway', oneway: 'no' })).toMatchObject({ forward: true, backward: true });
    expect(carRules({ highway: 'tertiary', junction: 'roundabout' })).toMatchObject({ backward: false, roundabout: true });
  });

  it('weights: narrow, service and side roads are avoided without being driven slower', () => {
    expect(carRules({ highway: 'residential' })?.weightFactor).toBe(1);
    expect(carRules({ highway: 'residential', lanes: '1' })?.weightFactor).toBe(0.5);
    expect(carRules({ highway: 'residential', lanes: '1', oneway: 'yes' })?.weightFactor).toBe(1);
    expect(carRules({ highway: 'residential', width: '3' })?.weightFactor).toBe(0.5);
    expect(carRules({ highway: 'service', service: 'parking_aisle' })?.weightFactor).toBe(0.5);
    expect(carRules({ highway: 'primary', side_road: 'yes' })?.weightFactor).toBe(0.8);
    expect(carRules({ highway: 'residential', lanes: '1' })?.speedKmh).toBe(25);
  });

  it('turn penalty: sigmoid up to 7.5 s, right turns cheaper (bias 1.075), U-turn +20 s, free where two ways join', () => {
    expect(turnPenaltyS(0, 4, false)).toBeLessThan(0.01);
    expect(turnPenaltyS(90, 4, false)).toBeCloseTo(2.1, 1);
    expect(turnPenaltyS(-90, 4, false)).toBeCloseTo(5.4, 1);
    expect(turnPenaltyS(180, 3, true)).toBeCloseTo(27.46, 1);
    expect(turnPenaltyS(90, 2, false)).toBe(0);
    expect(turnPenaltyS(-135, 3, false)).toBeGreaterThan(turnPenaltyS(135, 3, false));
  });

  it('node obstacles: signals 2 s (in their direction), stops 2 s, give-ways 1 s, barriers but not gates', () => {
    expect(nodeRules({ highway: 'traffic_signals' })).toMatchObject({ delayS: 2, barrier: false });
    expect(nodeRules({ highway: 'traffic_signals', 'traffic_signals:direction': 'forward' })?.direction).toBe('forward');
    expect(nodeRules({ highway: 'stop' })?.delayS).toBe(2);
    expect(nodeRules({ highway: 'stop', stop: 'minor' })).toBeNull();
    expect(nodeRules({ highway: 'give_way' })?.delayS).toBe(1);
    expect(nodeRules({ barrier: 'bollard' })?.barrier).toBe(true);
    expect(nodeRules({ barrier: 'gate' })).toBeNull();
    expect(nodeRules({ highway: 'crossing' })).toBeNull();
  });
});

describe('turn graph on Monaco', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-turns-'));
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('turn restrictions are read and their turns absent; U-turns only where OSRM allows them', async () => {
    const router = await EmbeddedRouter.fromPbf(MONACO_PBF, { cacheDir, contract: false });
    const g = router.graph;
    expect(g.bannedFrom.length).toBeGreaterThan(20);
    for (let k = 0; k < g.bannedFrom.length; k++) {
      expect(arcHead(g, g.bannedFrom[k])).toBe(arcTail(g, g.bannedTo[k]));
      expect(turnDurationS(g, g.bannedFrom[k], g.bannedTo[k])).toBeUndefined();
    }
    // At a four-way crossing of two-way roads, no U-turn; at a dead end, a U-turn of at least 20 s.
    let checkedCrossing = false;
    let checkedDeadEnd = false;
    for (let v = 0; v < g.nodeCount && !(checkedCrossing && checkedDeadEnd); v++) {
      const arcs = Array.from(g.incident.arc.subarray(g.incident.start[v], g.incident.start[v + 1]));
      const twoWay = arcs.every((arc) => (g.edgeFlags[arc >> 1] & 3) === 3);
      if (!twoWay || g.nodeFlags[v] !== 0) continue;
      const arriving = arcs[0] ^ 1;
      if (arcs.length === 4 && !checkedCrossing) {
        expect(turnDurationS(g, arriving, arcs[0])).toBeUndefined();
        checkedCrossing = true;
      }
      if (arcs.length === 1 && !checkedDeadEnd) {
        expect(turnDurationS(g, arriving, arcs[0])).toBeGreaterThanOrEqual(20);
        checkedDeadEnd = true;
      }
    }
    expect(checkedCrossing && checkedDeadEnd).toBe(true);
  }, 120_000); // reads and builds the Monaco graph
});
