import {
  BooleanField, BooleanInput, Create, Datagrid, DateField, Edit, email, List, minLength, PasswordInput, ReferenceArrayField,
  ReferenceArrayInput, SelectArrayInput, SelectInput, SimpleForm, TextField, TextInput, required, ChipField, SingleFieldList,
} from 'react-admin';
import { choices } from '../i18n.ts';
import { CodeField } from './common.tsx';

const ROLES = ['admin', 'coordinator', 'viewer'];

export const UserList = () => (
  <List sort={{ field: 'email', order: 'ASC' }} filters={[
    <TextInput key="q" source="q" alwaysOn />,
    <SelectInput key="role" source="role" choices={choices('roles', ROLES)} />,
  ]}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="email" />
      <TextField source="displayName" />
      <CodeField group="roles" source="role" />
      <ReferenceArrayField source="territoryIds" reference="territories" sortable={false}>
        <SingleFieldList linkType={false}><ChipField source="name" size="small" /></SingleFieldList>
      </ReferenceArrayField>
      <BooleanField source="active" />
      <DateField source="lastLoginAt" showTime />
    </Datagrid>
  </List>
);

const form = (creating: boolean) => (
  <SimpleForm>
    <TextInput source="email" validate={[required(), email()]} />
    <TextInput source="displayName" />
    <SelectInput source="role" choices={choices('roles', ROLES)} validate={required()} />
    <ReferenceArrayInput source="territoryIds" reference="territories">
      <SelectArrayInput optionText="name" helperText="Sans objet pour un administrateur (tous les territoires)" />
    </ReferenceArrayInput>
    <BooleanInput source="active" defaultValue />
    <PasswordInput source="password" validate={creating ? [required(), minLength(12)] : [minLength(12)]}
      helperText={creating ? '12 caractères au moins' : 'Laisser vide pour ne pas le changer'} />
  </SimpleForm>
);
export const UserEdit = () => <Edit mutationMode="pessimistic">{form(false)}</Edit>;
export const UserCreate = () => <Create>{form(true)}</Create>;
