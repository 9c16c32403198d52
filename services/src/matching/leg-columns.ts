import { freeSeats, type Leg } from './legs.ts';
import { dayNumber } from '../time/days.ts';
import { carve } from './typed-arrays.ts';

/**
 * What a request asks of a leg whatever its geometry (day, hours, territory, seats), in the form `LegColumns` tests.
 * The same rules as `runsOn`, `commonWeekdays` and `freeSeats` on the leg objects; the recall test holds them equal.
 * The two hours are necessary conditions of the router's answer (the pickup or drop-off time and the detour), never
 * estimates: a leg they reject is one the router could not make fit.
 */
export interface LegFilter {
  /** Dated request: its day number (days since 1970-01-01) and date; recurring: null. */
  day: number | null;
  date: string | null;
  /** Dated: 1 << its ISO weekday; recurring: its weekdays as bits. */
  dayBits: number;
  territories: number[] | null;
  /** The passenger's own trips never match (-1: none). */
  excludeDriver: number;
  seats: number;
  /** Legs departing later cannot serve: the asked end is reached after the departure. */
  latestDepartureMin: number;
  /**
   * Legs whose driver, driving straight to the destination, arrives before this cannot serve: the asked end is
   * reached before the arrival plus the largest detour allowed in scope. Legs whose own duration is not known yet
   * (`setDirect` not called) are not rejected on it.
   */
  earliestArrivalMin: number;
}

const NO_DAY = -1;
const FIRST_DAY = -(2 ** 31);
const LAST_DAY = 2 ** 31 - 1;

/**
 * Per index slot, the attributes a query filters on, in typed arrays. Testing a candidate then reads a few adjacent
 * numbers instead of following pointers to the leg, its schedule and its bookings, scattered over the heap: near a
 * town, thousands of legs pass both ends of a request and those cache misses were a third of the query time.
 */
export class LegColumns {
  /** Departure, in minutes. */
  startMin = new Float64Array(0);
  /**
   * Origin → destination as the matcher's router answers it (`setDirect`), in seconds: NaN until known, -1 when the
   * router finds no way; and the arrival it gives, in minutes (+Infinity until known, -Infinity without a way).
   */
  directS = new Float64Array(0);
  arrivalMin = new Float64Array(0);
  /** Ends of the route: straight-line bounds on the router's times to and from them. */
  originLng = new Float64Array(0);
  originLat = new Float64Array(0);
  destinationLng = new Float64Array(0);
  destinationLat = new Float64Array(0);
  /** Regular legs: ISO weekdays as bits; one-off: 0. */
  weekdayBits = new Uint8Array(0);
  /** One-off legs: their day number; regular: NO_DAY. */
  oneoffDay = new Int32Array(0);
  validFrom = new Int32Array(0);
  validTo = new Int32Array(0);
  territory = new Int32Array(0);
  driver = new Int32Array(0);
  seats = new Int16Array(0);
  /** Whether any seat is booked on some date (the leg's own map is read only then). */
  booked = new Uint8Array(0);

  grow(n: number): void {
    if (n <= this.startMin.length) return;
    const size = this.startMin.length === 0 ? n : Math.max(n, this.startMin.length * 2, 1024);
    const [startMin, directS, arrivalMin, originLng, originLat, destinationLng, destinationLat] = carve(size, [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ]);
    const [oneoffDay, validFrom, validTo, territory, driver, seats, weekdayBits, booked] = carve(size, [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int16Array,
      Uint8Array,
      Uint8Array,
    ]);
    const kept = <T extends Float64Array | Int32Array | Int16Array | Uint8Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.startMin = kept(this.startMin, startMin);
    this.directS = kept(this.directS, directS);
    this.arrivalMin = kept(this.arrivalMin, arrivalMin);
    this.originLng = kept(this.originLng, originLng);
    this.originLat = kept(this.originLat, originLat);
    this.destinationLng = kept(this.destinationLng, destinationLng);
    this.destinationLat = kept(this.destinationLat, destinationLat);
    this.weekdayBits = kept(this.weekdayBits, weekdayBits);
    this.oneoffDay = kept(this.oneoffDay, oneoffDay);
    this.validFrom = kept(this.validFrom, validFrom);
    this.validTo = kept(this.validTo, validTo);
    this.territory = kept(this.territory, territory);
    this.driver = kept(this.driver, driver);
    this.seats = kept(this.seats, seats);
    this.booked = kept(this.booked, booked);
  }

  set(slot: number, l: Leg): void {
    this.grow(slot + 1);
    const s = l.schedule;
    this.startMin[slot] = l.departureMin;
    this.directS[slot] = NaN;
    this.arrivalMin[slot] = Infinity;
    this.originLng[slot] = l.origin[0];
    this.originLat[slot] = l.origin[1];
    this.destinationLng[slot] = l.destination[0];
    this.destinationLat[slot] = l.destination[1];
    this.weekdayBits[slot] = s.kind === 'regular' ? s.weekdays.reduce((b, d) => b | (1 << d), 0) : 0;
    this.oneoffDay[slot] = s.kind === 'oneoff' && s.date ? dayNumber(s.date) : NO_DAY;
    this.validFrom[slot] = s.validFrom ? dayNumber(s.validFrom) : FIRST_DAY;
    this.validTo[slot] = s.validTo ? dayNumber(s.validTo) : LAST_DAY;
    this.territory[slot] = l.territoryId;
    this.driver[slot] = l.driverId;
    this.seats[slot] = l.seats;
    this.booked[slot] = l.bookedByDate.size > 0 ? 1 : 0;
  }

  /** The router's origin → destination time of the leg in a slot (null: no way). */
  setDirect(slot: number, durationS: number | null): void {
    this.directS[slot] = durationS ?? -1;
    this.arrivalMin[slot] = durationS === null ? -Infinity : this.startMin[slot] + durationS / 60;
  }

  /** Forgets every router time (another router now answers). */
  clearDirects(): void {
    this.directS.fill(NaN);
    this.arrivalMin.fill(Infinity);
  }

  /** Hours and weekday only: cheap enough to test on every piece of geometry visited. */
  mayServe(slot: number, f: LegFilter): boolean {
    if (this.startMin[slot] > f.latestDepartureMin || this.arrivalMin[slot] < f.earliestArrivalMin) return false;
    const bits = this.weekdayBits[slot];
    // A one-off leg (bits 0) is settled by its date in `serves`.
    return bits === 0 || (bits & f.dayBits) !== 0;
  }

  /** Everything but the geometry; `leg` is read only for a leg with bookings. */
  serves(slot: number, f: LegFilter, leg: (slot: number) => Leg): boolean {
    if (!this.mayServe(slot, f)) return false;
    if (f.territories !== null && !f.territories.includes(this.territory[slot])) return false;
    if (this.driver[slot] === f.excludeDriver) return false;
    const once = this.oneoffDay[slot];
    if (f.day === null) {
      // Recurring requests: regular legs sharing a weekday (one-off legs never serve them).
      if (once !== NO_DAY || this.weekdayBits[slot] === 0) return false;
    } else if (once !== NO_DAY) {
      if (once !== f.day) return false;
    } else if (this.weekdayBits[slot] === 0 || f.day < this.validFrom[slot] || f.day > this.validTo[slot]) return false;
    if (this.seats[slot] < f.seats) return false;
    return this.booked[slot] === 0 || freeSeats(leg(slot), f.date) >= f.seats;
  }
}
