import { describe, expect, it } from 'vitest';
import {
  allowanceEur,
  costRulesFrom,
  costRulesSchema,
  DEFAULT_COST_RULES,
  participationEur,
  roundEur,
} from '../../services/src/domain/costs.ts';
import { availableOn, covers, overlaps, subtract, union } from '../../services/src/matching/availability.ts';

/** The Lot's scheme as its coordinators wrote it (an example): €3 up to 15 km, then €0.25/km, at least €3. */
const LOT = costRulesSchema.parse({
  participation: { flatEur: 3, flatUpToKm: 15, perKmEur: 0.25, minimumEur: 3, waitFreeMin: 30, waitPerHourEur: 2.5 },
  allowance: { perKmEur: 0.32 },
});

describe('participation, computed by hand', () => {
  it('is the flat amount up to the threshold, whatever the distance under it', () => {
    expect(participationEur(LOT, { passengerKm: 4, wholeKm: 12, waitMin: 0 })).toBe(3);
    expect(participationEur(LOT, { passengerKm: 15, wholeKm: 40, waitMin: 0 })).toBe(3);
  });

  it('adds €/km beyond the threshold: 27.4 km → 3 + 12.4 × 0.25 = 6.10', () => {
    expect(participationEur(LOT, { passengerKm: 27.4, wholeKm: 60, waitMin: 0 })).toBe(6.1);
  });

  it('never goes under the minimum: a flat of €1 with a minimum of €2.50 asks €2.50', () => {
    const r = costRulesSchema.parse({ participation: { flatEur: 1, flatUpToKm: 5, perKmEur: 0.1, minimumEur: 2.5 } });
    expect(participationEur(r, { passengerKm: 3, wholeKm: 3, waitMin: 0 })).toBe(2.5);
    // 20 km: 1 + 15 × 0.1 = 2.50, at the minimum; 21 km: 2.60.
    expect(participationEur(r, { passengerKm: 21, wholeKm: 21, waitMin: 0 })).toBe(2.6);
  });

  it('charges each begun hour of waiting beyond the free minutes: 95 min wait, 30 free → 2 h × 2.50 = 5', () => {
    expect(participationEur(LOT, { passengerKm: 10, wholeKm: 30, waitMin: 30 })).toBe(3);
    expect(participationEur(LOT, { passengerKm: 10, wholeKm: 30, waitMin: 31 })).toBe(5.5);
    expect(participationEur(LOT, { passengerKm: 10, wholeKm: 30, waitMin: 95 })).toBe(8);
    // 27.4 km and 95 minutes: 6.10 + 5 = 11.10.
    expect(participationEur(LOT, { passengerKm: 27.4, wholeKm: 60, waitMin: 95 })).toBe(11.1);
  });

  it('counts the whole trip home → home when the territory says so', () => {
    const whole = costRulesSchema.parse({ participation: { ...LOT.participation, basis: 'whole' } });
    // 48.6 km: 3 + 33.6 × 0.25 = 11.40.
    expect(participationEur(whole, { passengerKm: 20, wholeKm: 48.6, waitMin: 0 })).toBe(11.4);
  });

  it('applies a cap per kilometre when one is given (the TUS €0.32/km): 20 km → at most 6.40', () => {
    const dear = costRulesSchema.parse({ participation: { flatEur: 8, flatUpToKm: 30, minimumEur: 8 } });
    expect(participationEur(dear, { passengerKm: 20, wholeKm: 50, waitMin: 0 })).toBe(8);
    expect(participationEur(dear, { passengerKm: 20, wholeKm: 50, waitMin: 0 }, (km) => 0.32 * km)).toBe(6.4);
  });
});

describe('allowance, computed by hand', () => {
  it('is €/km on the whole trip home → home: 48.63 km × 0.32 = 15.56', () => {
    expect(allowanceEur(LOT, 48.63)).toBe(15.56);
    expect(allowanceEur(DEFAULT_COST_RULES, 100)).toBe(32);
  });

  it('rounds half a cent up, without float noise', () => {
    expect(roundEur(0.125)).toBe(0.13);
    expect(roundEur(1.005)).toBe(1.01);
    expect(roundEur(2.675)).toBe(2.68);
    expect(allowanceEur(LOT, 10.05)).toBe(3.22);
  });

  it('reads partial stored rules over the defaults, and the defaults from rubbish', () => {
    expect(costRulesFrom({ allowance: { perKmEur: 0.4 } })).toEqual({ ...DEFAULT_COST_RULES, allowance: { perKmEur: 0.4 } });
    expect(costRulesFrom({ participation: { perKmEur: 'cher' } })).toEqual(DEFAULT_COST_RULES);
    expect(costRulesFrom(null)).toEqual(DEFAULT_COST_RULES);
  });
});

describe('availability of a day', () => {
  const TUESDAY = '2027-03-09';
  const slots = [
    { weekday: 2, startMin: 8 * 60, endMin: 10 * 60 },
    { weekday: 2, startMin: 10 * 60, endMin: 12 * 60 },
    { weekday: 2, startMin: 14 * 60, endMin: 18 * 60 },
    { weekday: 3, startMin: 8 * 60, endMin: 18 * 60 },
  ];

  it('joins touching slots of the weekday and nothing of other days', () => {
    expect(availableOn(slots, [], TUESDAY)).toEqual([[480, 720], [840, 1080]]);
    expect(covers(availableOn(slots, [], TUESDAY), 9 * 60 + 30, 11 * 60)).toBe(true);
    expect(covers(availableOn(slots, [], TUESDAY), 11 * 60, 15 * 60)).toBe(false);
    expect(availableOn(slots, [], '2027-03-11')).toEqual([]);
  });

  it('removes holidays and hours off, adds one-off days', () => {
    const holidays = { dateFrom: '2027-03-01', dateTo: '2027-03-14', available: false, startMin: null, endMin: null };
    expect(availableOn(slots, [holidays], TUESDAY)).toEqual([]);
    const dentist = { dateFrom: TUESDAY, dateTo: TUESDAY, available: false, startMin: 9 * 60, endMin: 10 * 60 };
    expect(availableOn(slots, [dentist], TUESDAY)).toEqual([[480, 540], [600, 720], [840, 1080]]);
    const thursday = { dateFrom: '2027-03-11', dateTo: '2027-03-11', available: true, startMin: 13 * 60, endMin: 17 * 60 };
    expect(availableOn(slots, [thursday], '2027-03-11')).toEqual([[780, 1020]]);
    // An unavailable exception wins over an available one the same day.
    expect(availableOn(slots, [thursday, { ...holidays, dateTo: '2027-03-31' }], '2027-03-11')).toEqual([]);
  });

  it('unions, subtracts and compares spans', () => {
    expect(union([[5, 8], [1, 3], [2, 4]])).toEqual([[1, 4], [5, 8]]);
    expect(subtract([[0, 10]], [[2, 3], [5, 12]])).toEqual([[0, 2], [3, 5]]);
    expect(overlaps([540, 600], [600, 660])).toBe(false);
    expect(overlaps([540, 601], [600, 660])).toBe(true);
  });
});
