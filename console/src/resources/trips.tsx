import { BooleanField, BooleanInput, Datagrid, DateField, Edit, List, NumberField, NumberInput, ReferenceField, ReferenceInput, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';
import { GeoJSON } from 'react-leaflet';
import { choices } from '../i18n.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { CodeField, WeekdaysField } from './common.tsx';

const driverName = (r: any) => `${r.firstName ?? ''} ${r.lastName ?? ''}`.trim() || `n° ${r.id}`;

export const TripList = () => (
  <List sort={{ field: 'departureTime', order: 'ASC' }} filters={[
    <SelectInput key="kind" source="kind" choices={choices('tripKind', ['regular', 'oneoff'])} alwaysOn />,
    <BooleanInput key="active" source="active" />,
  ]}>
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

function RouteMap() {
  const r = useRecordContext<any>();
  if (!r) return null;
  return (
    <BaseMap territoryId={r.territoryId} fit={[[r.origin.lng, r.origin.lat], [r.destination.lng, r.destination.lat]]} height={380}>
      {r.route ? <GeoJSON key={`r${r.id}`} data={r.route} style={{ color: '#1565c0', weight: 4 }} /> : null}
    </BaseMap>
  );
}

export const TripShow = () => (
  <Show>
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
      <BooleanField source="active" />
      <RouteMap />
    </SimpleShowLayout>
  </Show>
);

function FunctionName() {
  const r = useRecordContext<any>();
  return r ? <span>{driverName(r)}</span> : null;
}

export const TripEdit = () => (
  <Edit mutationMode="pessimistic">
    <SimpleForm>
      <ReferenceInput source="driverId" reference="drivers"><SelectInput optionText={driverName} disabled /></ReferenceInput>
      <NumberInput source="seats" min={1} max={8} />
      <BooleanInput source="active" />
    </SimpleForm>
  </Edit>
);
