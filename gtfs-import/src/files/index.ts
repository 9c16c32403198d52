import { agency } from './agency.ts';
import { areas } from './areas.ts';
import { attributions } from './attributions.ts';
import { bookingRules } from './booking_rules.ts';
import { calendar } from './calendar.ts';
import { calendarDates } from './calendar_dates.ts';
import { fareAttributes } from './fare_attributes.ts';
import { fareLegRules } from './fare_leg_rules.ts';
import { fareMedia } from './fare_media.ts';
import { fareProducts } from './fare_products.ts';
import { fareRules } from './fare_rules.ts';
import { fareTransferRules } from './fare_transfer_rules.ts';
import { feedInfo } from './feed_info.ts';
import { frequencies } from './frequencies.ts';
import { levels } from './levels.ts';
import { locationGroupStops } from './location_group_stops.ts';
import { locationGroups } from './location_groups.ts';
import { locations } from './locations.ts';
import { networks } from './networks.ts';
import { pathways } from './pathways.ts';
import { riderCategories } from './rider_categories.ts';
import { routeNetworks } from './route_networks.ts';
import { routes } from './routes.ts';
import { shapes } from './shapes.ts';
import { stopAreas } from './stop_areas.ts';
import { stopTimes } from './stop_times.ts';
import { stops } from './stops.ts';
import { timeframes } from './timeframes.ts';
import { transfers } from './transfers.ts';
import { translations } from './translations.ts';
import { trips } from './trips.ts';
import type { GtfsFile } from './spec.ts';

export type { Column, ColumnType, GtfsFile, Namespace } from './spec.ts';

/** Every file the importer knows, in load order: a file comes after the files whose ids it references. */
export const gtfsFiles: readonly GtfsFile[] = [
  agency, levels, stops, locations, locationGroups, locationGroupStops, areas, stopAreas, networks, routes,
  routeNetworks, calendar, calendarDates, shapes, trips, bookingRules, stopTimes, frequencies, transfers, pathways,
  fareAttributes, fareRules, timeframes, riderCategories, fareMedia, fareProducts, fareLegRules, fareTransferRules,
  translations, feedInfo, attributions,
];

export const fileByName = new Map(gtfsFiles.map((f) => [f.file, f]));
