import type { LngLat, RouteOptions, RouteResult, Router, TableResult } from '../src/routing/types.ts';
import { placeOf, type Place } from './synthetic.ts';

/**
 * The Lot's router answering for the Lot's routes laid in other places (the national benchmark): every point of a
 * call is moved back by the offset of the place of its first point. A request and its candidates lie in one place.
 */
export class PlaceRouter implements Router {
  readonly name: Router['name'];
  readonly approximate: boolean;

  constructor(
    private readonly inner: Router,
    private readonly places: Place[],
  ) {
    this.name = inner.name;
    this.approximate = inner.approximate;
  }

  private back(first: LngLat): (p: LngLat) => LngLat {
    const { dLng, dLat } = placeOf(this.places, first);
    return (p) => [p[0] - dLng, p[1] - dLat];
  }

  table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult> {
    const move = this.back(sources[0] ?? destinations[0]);
    return this.inner.table(sources.map(move), destinations.map(move));
  }

  route(points: LngLat[], options?: RouteOptions): Promise<RouteResult> {
    return this.inner.route(points.map(this.back(points[0])), options);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
