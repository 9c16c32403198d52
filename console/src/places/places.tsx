import { Box, TextField as MuiTextField, Typography } from '@mui/material';
import { useState } from 'react';
import {
  Create, Datagrid, Edit, FormDataConsumer, List, NumberInput, ReferenceField, ReferenceInput, SelectField, SelectInput, SimpleForm, TextField, TextInput,
  required, useInput, useRecordContext,
} from 'react-admin';
import { CircleMarker, Tooltip } from 'react-leaflet';
import { currentUser } from '../authProvider.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { PlaceSearch } from './PlaceSearch.tsx';

/** The API's place kinds, in French. */
export const PLACE_KINDS = [
  { id: 'health', name: 'Santé (hôpital, cabinet, dialyse…)' },
  { id: 'pharmacy', name: 'Pharmacie' },
  { id: 'market', name: 'Marché' },
  { id: 'shop', name: 'Commerce' },
  { id: 'public_service', name: 'Service public (mairie, France services…)' },
  { id: 'school', name: 'École, formation' },
  { id: 'station', name: 'Gare, arrêt' },
  { id: 'home', name: 'Domicile d’une personne' },
  { id: 'other', name: 'Autre' },
];

/** A coordinator of one territory saves places there. */
const onlyTerritory = () => {
  const me = currentUser();
  return me?.territories.length === 1 ? me.territories[0].id : undefined;
};

export const PlaceList = () => (
  <List sort={{ field: 'name', order: 'ASC' }} title="Lieux" filters={[
    <TextInput key="q" source="q" label="Rechercher" alwaysOn />,
    <SelectInput key="kind" source="kind" label="Type" choices={PLACE_KINDS} alwaysOn />,
  ]}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="name" label="Nom" />
      <SelectField source="kind" label="Type" choices={PLACE_KINDS} />
      <TextField source="address" label="Adresse" sortable={false} />
      <TextField source="communeName" label="Commune" sortable={false} emptyText="hors territoire" />
      <ReferenceField source="territoryId" reference="territories" label="Territoire" link={false} sortable={false}><TextField source="name" /></ReferenceField>
    </Datagrid>
  </List>
);

/** The place's address and point: found by the search, then placed exactly with a click on the map. */
function AddressAndPoint({ territoryId }: { territoryId: number | null }) {
  const { field, fieldState } = useInput({ source: 'point', validate: required('Placez le lieu sur la carte') });
  const { field: address } = useInput({ source: 'address' });
  const p = field.value as { lng: number; lat: number } | null;
  // Framed once around the saved place (a few km around it), not again on each click: the map keeps its zoom.
  const [initial] = useState(() => (p ? [[p.lng - 0.03, p.lat - 0.02], [p.lng + 0.03, p.lat + 0.02]] as [number, number][] : undefined));
  return (
    <Box sx={{ width: '100%', maxWidth: 720 }}>
      <PlaceSearch testId="place-lookup" label="Chercher l’adresse" territoryId={territoryId} value={null} width={480}
        onChange={(c) => {
          if (!c) return;
          field.onChange({ lng: c.lng, lat: c.lat });
          if (!address.value) address.onChange(c.label);
        }} />
      <MuiTextField label="Adresse" value={address.value ?? ''} onChange={(e) => address.onChange(e.target.value)} fullWidth sx={{ mt: 2 }}
        slotProps={{ htmlInput: { 'data-testid': 'place-address' } }} />
      <Typography variant="body2" sx={{ my: 1 }} color={fieldState.error ? 'error' : 'text.secondary'} data-testid="place-point">
        {p ? `Position : ${p.lat.toFixed(5).replace('.', ',')} ; ${p.lng.toFixed(5).replace('.', ',')} — cliquez sur la carte pour la corriger`
          : fieldState.error ? 'Placez le lieu sur la carte (ou cherchez son adresse)' : 'Cliquez sur la carte pour placer le lieu'}
      </Typography>
      <Box data-testid="place-map">
        <BaseMap territoryId={territoryId} height={380} fit={initial}
          onClick={(lng, lat) => field.onChange({ lng: Number(lng.toFixed(6)), lat: Number(lat.toFixed(6)) })}>
          {p ? (
            <CircleMarker center={[p.lat, p.lng]} radius={8} pathOptions={{ color: '#0d47a1', fillOpacity: 0.9 }}>
              <Tooltip permanent>Lieu</Tooltip>
            </CircleMarker>
          ) : null}
        </BaseMap>
      </Box>
    </Box>
  );
}

const Form = () => (
  <SimpleForm>
    <ReferenceInput source="territoryId" reference="territories">
      <SelectInput optionText="name" label="Territoire" validate={required()} defaultValue={onlyTerritory()} />
    </ReferenceInput>
    <TextInput source="name" label="Nom" validate={required()} helperText="Tel qu’on le dit au téléphone : « Centre hospitalier de Cahors »" />
    <SelectInput source="kind" label="Type" choices={PLACE_KINDS} validate={required()} />
    <NumberInput source="personId" label="N° de la personne (domicile)" helperText="Un domicile appartient à une personne : il est effacé avec elle" />
    <FormDataConsumer>{({ formData }) => <AddressAndPoint territoryId={formData.territoryId ?? null} />}</FormDataConsumer>
  </SimpleForm>
);

const EditTitle = () => {
  const r = useRecordContext<{ name: string }>();
  return <span>Lieu {r ? `« ${r.name} »` : ''}</span>;
};
export const PlaceEdit = () => <Edit mutationMode="pessimistic" title={<EditTitle />}><Form /></Edit>;
export const PlaceCreate = () => <Create title="Nouveau lieu" redirect="list"><Form /></Create>;
