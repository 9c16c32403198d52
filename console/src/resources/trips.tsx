import { BooleanField, BooleanInput, CreateButton, Datagrid, DateField, ExportButton, FilterButton, List, NumberField, ReferenceField, SelectInput, TextField, TopToolbar, useRecordContext } from 'react-admin';
import { CommuneInput } from '../map/CommuneInput.tsx';
import { choices } from '../i18n.ts';
import { CodeField, WeekdaysField } from './common.tsx';
import { tripsExporter } from '../fr/exporters.ts';

export const driverName = (r: any) => `${r.firstName ?? ''} ${r.lastName ?? ''}`.trim() || `n° ${r.id}`;

export const TripList = () => (
  <List sort={{ field: 'departureTime', order: 'ASC' }} exporter={tripsExporter} filters={[
    <CommuneInput key="commune" source="communeInsee" alwaysOn />,
    <SelectInput key="kind" source="kind" choices={choices('tripKind', ['regular', 'oneoff'])} alwaysOn />,
    <BooleanInput key="active" source="active" alwaysOn />,
  ]} actions={<TopToolbar><FilterButton /><CreateButton label="Ajouter un trajet" /><ExportButton /></TopToolbar>}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      {/* First name and name: the demo alone has nine drivers named Carrayrou. */}
      <ReferenceField source="driverId" reference="drivers" link="show" sortable={false}>
        <FunctionName />
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

export function FunctionName() {
  const r = useRecordContext<any>();
  return r ? <span>{driverName(r)}</span> : null;
}
