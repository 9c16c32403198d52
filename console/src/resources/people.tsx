import AddIcon from '@mui/icons-material/Add';
import { Stack, Typography } from '@mui/material';
import {
  BooleanField, Button, Labeled, NumberField, ReferenceManyField, useRecordContext, BooleanInput, CheckboxGroupInput, Create, Datagrid, DateField, DateInput, Edit, email, List, ReferenceField,
  ReferenceInput, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, TextInput, FunctionField, useTranslate,
} from 'react-admin';
import { Link } from 'react-router';
import { choices } from '../i18n.ts';
import { CommuneInput } from '../map/CommuneInput.tsx';
import { PhoneField } from '../fr/PhoneLink.tsx';
import { CodeField, NEEDS, WeekdaysField } from './common.tsx';
import { peopleExporter } from '../fr/exporters.ts';
import { PersonRequests, PersonTimeline } from '../timeline/PersonHistory.tsx';
import { TusEligibility } from '../people/TusEligibility.tsx';

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
      <TextField source="email" label="resources.people.fields.email" emptyText="non renseigné" />
      <TextField source="address" label="resources.people.fields.address" emptyText="non renseignée" />
      <TextField source="communeName" label="resources.people.fields.communeName" emptyText="non renseignée" />
      <ReferenceField source="territoryId" reference="territories" label="resources.people.fields.territoryId"><TextField source="name" /></ReferenceField>
      <BooleanField source="isDriver" label="resources.people.fields.isDriver" />
      <BooleanField source="isPassenger" label="resources.people.fields.isPassenger" />
      <BooleanField source="directContactConsent" label="resources.people.fields.directContactConsent" />
      <CodeField group="needs" source="needs" label="resources.people.fields.needs" empty="aucun" />
      <FunctionField label="Messages" render={(p: any) => <MessagingSummary m={p.messaging} />} />
      <DateField source="createdAt" label="resources.people.fields.createdAt" />
      <DriverTrips />
      <PersonRequests />
      <PersonTimeline />
      <TusEligibility />
    </SimpleShowLayout>
  </Show>
);

/** The text shown beside the box: the version the API records with the consent (privacy/consents.ts). */
const MESSAGES_CONSENT =
  'J’accepte de recevoir les confirmations, rappels et annulations de mes trajets par SMS, appel vocal ou courrier, au numéro ou à l’adresse indiqués (ou à ceux de la personne qui les reçoit pour moi).';

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
    <Typography variant="subtitle1" sx={{ mt: 2 }}>Messages (SMS, appel vocal, courrier)</Typography>
    <SelectInput source="messaging.channel" label="Canal préféré" emptyText="Par défaut (SMS sur un mobile, appel sur un fixe)"
      choices={choices('messageChannels', ['sms', 'voice', 'letter', 'none'])} />
    <BooleanInput source="messaging.consent" label="Accepte de recevoir les messages" helperText={MESSAGES_CONSENT} />
    <Stack direction="row" spacing={2}>
      <TextInput source="messaging.quietHours.start" label="Pas de message de (HH:MM)" helperText="Par défaut 21:00" />
      <TextInput source="messaging.quietHours.end" label="à (HH:MM)" helperText="Par défaut 08:00" />
    </Stack>
    <Stack direction="row" spacing={2}>
      <TextInput source="messaging.relay.name" label="Messages reçus par (proche, aidant)" />
      <TextInput source="messaging.relay.phone" label="Son téléphone" />
      <TextInput source="messaging.relay.relation" label="Lien (fille, voisin…)" />
    </Stack>
  </SimpleForm>
);

/** Empty parts of the messaging block are left out; without a channel, the defaults apply and nothing is sent. */
const withMessaging = (data: any) => {
  const m = data.messaging;
  if (!m?.channel) {
    const { messaging: _omit, ...rest } = data;
    return rest;
  }
  const quiet = m.quietHours?.start && m.quietHours?.end ? m.quietHours : null;
  const relay = m.relay?.phone ? { name: m.relay.name ?? '', phone: m.relay.phone, relation: m.relay.relation || null } : null;
  return { ...data, messaging: { channel: m.channel, consent: Boolean(m.consent), quietHours: quiet, relay } };
};

function MessagingSummary({ m }: { m: any }) {
  const t = useTranslate();
  if (!m) return <span>Par défaut (SMS sur un mobile, appel sur un fixe)</span>;
  return (
    <span>
      {t(`comobi.messageChannels.${m.channel}`)} · {m.consent ? `accord du ${new Date(m.consentAt).toLocaleDateString('fr-FR')}` : 'sans accord enregistré'}
      {m.quietHours ? ` · pas de message de ${m.quietHours.start} à ${m.quietHours.end}` : ''}
      {m.relay ? ` · reçus par ${m.relay.name}${m.relay.relation ? ` (${m.relay.relation})` : ''}` : ''}
    </span>
  );
}

export const PersonEdit = () => <Edit mutationMode="pessimistic" transform={withMessaging}>{form}</Edit>;
export const PersonCreate = () => <Create redirect="show" transform={withMessaging}>{form}</Create>;

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
