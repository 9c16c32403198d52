import AddIcon from '@mui/icons-material/Add';
import {
  BooleanField, Button, Labeled, NumberField, ReferenceManyField, useRecordContext, BooleanInput, CheckboxGroupInput, Create, Datagrid, DateField, DateInput, Edit, email, List, ReferenceField,
  ReferenceInput, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, TextInput,
} from 'react-admin';
import { Link } from 'react-router';
import { choices } from '../i18n.ts';
import { CommuneInput } from '../map/CommuneInput.tsx';
import { PhoneField } from '../fr/PhoneLink.tsx';
import { CodeField, NEEDS, WeekdaysField } from './common.tsx';
import { peopleExporter } from '../fr/exporters.ts';

const filters = [
  <TextInput key="q" source="q" label="Nom ou téléphone" alwaysOn />,
  <CommuneInput key="commune" source="communeInsee" label="Commune" alwaysOn />,
  <ReferenceInput key="t" source="territoryId" reference="territories"><SelectInput optionText="name" label="Territoire" /></ReferenceInput>,
];

/** Drivers and passengers are the people resource seen through a filter (see dataProvider.ts). */
const PeopleList = () => (
  <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }} exporter={peopleExporter}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="lastName" label="resources.people.fields.lastName" />
      <TextField source="firstName" label="resources.people.fields.firstName" />
      <PhoneField source="phone" label="resources.people.fields.phone" sortable={false} />
      <TextField source="communeName" label="resources.people.fields.communeName" sortable={false} />
      <BooleanField source="directContactConsent" label="resources.people.fields.directContactConsent" sortable={false} />
      <CodeField group="needs" source="needs" label="resources.people.fields.needs" sortable={false} />
    </Datagrid>
  </List>
);
export const DriverList = PeopleList;
export const PassengerList = PeopleList;

export const PersonShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="lastName" label="resources.people.fields.lastName" />
      <TextField source="firstName" label="resources.people.fields.firstName" />
      <PhoneField source="phone" label="resources.people.fields.phone" />
      <TextField source="email" label="resources.people.fields.email" />
      <TextField source="address" label="resources.people.fields.address" />
      <TextField source="communeName" label="resources.people.fields.communeName" />
      <ReferenceField source="territoryId" reference="territories" label="resources.people.fields.territoryId"><TextField source="name" /></ReferenceField>
      <BooleanField source="isDriver" label="resources.people.fields.isDriver" />
      <BooleanField source="isPassenger" label="resources.people.fields.isPassenger" />
      <BooleanField source="directContactConsent" label="resources.people.fields.directContactConsent" />
      <CodeField group="needs" source="needs" label="resources.people.fields.needs" />
      <DateField source="createdAt" label="resources.people.fields.createdAt" />
      <DriverTrips />
    </SimpleShowLayout>
  </Show>
);

const form = (
  <SimpleForm>
    <TextInput source="firstName" label="resources.people.fields.firstName" />
    <TextInput source="lastName" label="resources.people.fields.lastName" />
    <TextInput source="phone" label="resources.people.fields.phone" />
    <TextInput source="email" label="resources.people.fields.email" validate={email()} />
    <TextInput source="address" label="resources.people.fields.address" fullWidth />
    <DateInput source="birthdate" label="resources.people.fields.birthdate" />
    <TextInput source="communeInsee" label="resources.people.fields.communeInsee" />
    <BooleanInput source="isDriver" label="resources.people.fields.isDriver" />
    <BooleanInput source="isPassenger" label="resources.people.fields.isPassenger" />
    <BooleanInput source="directContactConsent" label="resources.people.fields.directContactConsent" />
    <CheckboxGroupInput source="needs" label="resources.people.fields.needs" choices={choices('needs', NEEDS)} />
  </SimpleForm>
);
export const PersonEdit = () => <Edit mutationMode="pessimistic">{form}</Edit>;
export const PersonCreate = () => <Create redirect="show">{form}</Create>;

/** A driver's trips, and the way to add one for them. */
function DriverTrips() {
  const r = useRecordContext<any>();
  if (!r?.isDriver) return null;
  return (
    <Labeled label="Trajets du conducteur" fullWidth>
      <div>
        <Button component={Link} to={`/trips/create?driverId=${r.id}`} label="Ajouter un trajet" data-testid="add-trip"><AddIcon /></Button>
        <ReferenceManyField reference="trips" target="driverId" sort={{ field: 'departureTime', order: 'ASC' }} perPage={50}
          empty={<span>Aucun trajet</span>}>
          <Datagrid rowClick="show" bulkActionButtons={false} data-testid="driver-trips">
            <CodeField group="tripKind" source="kind" sortable={false} label="resources.trips.fields.kind" />
            <WeekdaysField sortable={false} label="resources.trips.fields.weekdays" />
            <DateField source="date" sortable={false} label="resources.trips.fields.date" />
            <TextField source="departureTime" sortable={false} label="resources.trips.fields.departureTime" />
            <TextField source="returnTime" sortable={false} label="resources.trips.fields.returnTime" />
            <TextField source="originLabel" sortable={false} label="resources.trips.fields.originLabel" />
            <TextField source="destinationLabel" sortable={false} label="resources.trips.fields.destinationLabel" />
            <NumberField source="seats" sortable={false} label="resources.trips.fields.seats" />
            <BooleanField source="active" sortable={false} label="resources.trips.fields.active" />
          </Datagrid>
        </ReferenceManyField>
      </div>
    </Labeled>
  );
}
