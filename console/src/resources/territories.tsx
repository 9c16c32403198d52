import { Datagrid, DateField, Edit, List, SimpleForm, TextField, TextInput, required } from 'react-admin';
import { PhoneField } from '../fr/PhoneLink.tsx';

export const TerritoryList = () => (
  <List sort={{ field: 'name', order: 'ASC' }} filters={[<TextInput key="q" source="q" label="Recherche" alwaysOn />]}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="name" />
      <TextField source="slug" />
      <PhoneField source="coordinatorPhone" />
      <DateField source="createdAt" />
    </Datagrid>
  </List>
);

const form = (
  <SimpleForm>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} helperText="Minuscules, chiffres et tirets" />
    <TextInput source="coordinatorPhone" />
  </SimpleForm>
);
export const TerritoryEdit = () => <Edit mutationMode="pessimistic">{form}</Edit>;
