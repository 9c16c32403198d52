import { BooleanField, BooleanInput, CreateButton, Datagrid, DateField, ExportButton, FilterButton, FunctionField, List, NumberField, ReferenceField, SelectInput, Show, SimpleShowLayout, TextField, TopToolbar, useRecordContext } from 'react-admin';
import { GeoJSON } from 'react-leaflet';
import { CommuneInput } from '../map/CommuneInput.tsx';
import { choices } from '../i18n.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { EndMarkers } from '../map/EndMarkers.tsx';
import { CodeField, WeekdaysField } from './common.tsx';
import { km } from '../fr/format.ts';
import { tripsExporter } from '../fr/exporters.ts';

const driverName = (r: any) => `${r.firstName ?? ''} ${r.lastName ?? ''}`.trim() || `n° ${r.id}`;

export const TripList = () => (
  <List sort={{ field: 'departureTime', order: 'ASC' }} exporter={tripsExporter} filters={[
    <CommuneInput key="commune" source="communeInsee" alwaysOn />,
    <SelectInput key="kind" source="kind" choices={choices('tripKind', ['regular', 'oneoff'])} alwaysOn />,
    <BooleanInput key="active" source="active" alwaysOn />,
  ]} actions={<TopToolbar><FilterButton /><CreateButton label="Ajouter un trajet" /><ExportButton /></TopToolbar>}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <ReferenceField source="driverId" reference="drivers" link="show" sortable={false}>
        <TextField source="lastName" />
      </ReferenceField>
      <CodeField group="tripKind" source="kind" sortable={false} />
      <WeekdaysField sortable={false} label="resources.trips.fields.weekdays" />
      <DateField source="date" sortable={false} />
      <TextField source="departureTime" />
      <TextField source="returnTime" sortable={false} />
      <TextField source="originLabel" sortable={false} />
      <TextField source="destinationLabel" sortable={false} />
      <NumberField source="seats" sortable={false} />
      <BooleanField source="active" sortable={false} />
    </Datagrid>
  </List>
);

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
      <DateField source="date" />
      <TextField source="departureTime" />
      <TextField source="returnTime" />
      <TextField source="originLabel" />
      <TextField source="destinationLabel" />
      <NumberField source="seats" />
      <DateField source="validFrom" />
      <DateField source="validTo" />
      <FunctionField source="distanceM" render={(r: any) => `${km(r.distanceM)}, ${Math.round(r.durationS / 60)} min${r.routeApproximate ? ' (approximatif)' : ''}`} />
      <BooleanField source="active" />
    </SimpleShowLayout>
  </Show>
);

function FunctionName() {
  const r = useRecordContext<any>();
  return r ? <span>{driverName(r)}</span> : null;
}
