import { BooleanField, BooleanInput, Create, Datagrid, Edit, List, ReferenceField, ReferenceInput, SelectInput, SimpleForm, TextField, TextInput, required } from 'react-admin';
import { choices } from '../i18n.ts';
import { PhoneField } from '../fr/PhoneLink.tsx';
import { CodeField } from './common.tsx';

const KINDS = ['tad', 'seated_patient', 'taxi'];

export const ProviderList = () => (
  <List sort={{ field: 'name', order: 'ASC' }} filters={[
    <TextInput key="q" source="q" alwaysOn />,
    <SelectInput key="kind" source="kind" choices={choices('providerKind', KINDS)} alwaysOn />,
  ]}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="name" />
      <CodeField group="providerKind" source="kind" />
      <PhoneField source="phone" sortable={false} />
      <ReferenceField source="territoryId" reference="territories" link={false}><TextField source="name" /></ReferenceField>
      <BooleanField source="active" sortable={false} />
    </Datagrid>
  </List>
);

const form = (
  <SimpleForm>
    <ReferenceInput source="territoryId" reference="territories"><SelectInput optionText="name" validate={required()} /></ReferenceInput>
    <SelectInput source="kind" choices={choices('providerKind', KINDS)} validate={required()} />
    <TextInput source="name" validate={required()} />
    <TextInput source="phone" />
    <TextInput source="notes" multiline fullWidth helperText="Zone desservie : tout le territoire si aucune zone n’est importée" />
    <BooleanInput source="active" defaultValue />
  </SimpleForm>
);
export const ProviderEdit = () => <Edit mutationMode="pessimistic">{form}</Edit>;
export const ProviderCreate = () => <Create>{form}</Create>;
