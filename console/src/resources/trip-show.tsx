import { BooleanField, DateField, FunctionField, NumberField, ReferenceField, Show, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { GeoJSON } from 'react-leaflet';
import { km } from '../fr/format.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { EndMarkers } from '../map/EndMarkers.tsx';
import { approximateNote } from '../places/PlaceSearch.tsx';
import { CodeField, WeekdaysField } from './common.tsx';
import { FunctionName } from './trips.tsx';

/** The trip's usual route (and its return, dashed) between its two ends. */
function RouteMap() {
  const r = useRecordContext<any>();
  if (!r) return null;
  return (
    <div data-testid="trip-map" style={{ flex: '0 0 55%', marginLeft: 16 }}>
      <BaseMap territoryId={r.territoryId} fit={[[r.origin.lng, r.origin.lat], [r.destination.lng, r.destination.lat]]} height={640}>
        {r.returnRoute ? <GeoJSON key={`b${r.id}-${r.updatedAt}`} data={r.returnRoute} style={{ color: '#ef6c00', weight: 3, dashArray: '6 6' }} /> : null}
        {r.route ? <GeoJSON key={`r${r.id}-${r.updatedAt}`} data={r.route} style={{ color: '#1565c0', weight: 4, className: 'trip-route' }} /> : null}
        <EndMarkers from={r.origin} to={r.destination} />
      </BaseMap>
    </div>
  );
}

export const TripShow = () => (
  <Show aside={<RouteMap />}>
    <SimpleShowLayout>
      <ReferenceField source="driverId" reference="drivers" link="show"><FunctionName /></ReferenceField>
      <CodeField group="tripKind" source="kind" />
      <WeekdaysField label="resources.trips.fields.weekdays" />
      <DateField source="date" emptyText="—" />
      <TextField source="departureTime" />
      <TextField source="returnTime" emptyText="pas de retour" />
      <FunctionField source="originLabel" render={(r: any) => `${r.originLabel ?? ''}${approximateNote(r.originSource)}`} />
      <FunctionField source="destinationLabel" render={(r: any) => `${r.destinationLabel ?? ''}${approximateNote(r.destinationSource)}`} />
      <NumberField source="seats" />
      {/* No validity dates: the trip runs from now on, with no end. */}
      <DateField source="validFrom" emptyText="dès maintenant" />
      <DateField source="validTo" emptyText="sans date de fin" />
      <FunctionField source="distanceM" render={(r: any) => `${km(r.distanceM)}, ${Math.round(r.durationS / 60)} min${r.routeApproximate ? ' (approximatif)' : ''}`} />
      <BooleanField source="active" />
    </SimpleShowLayout>
  </Show>
);
