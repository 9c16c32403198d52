import { Datagrid, DateField, List, ReferenceField, SelectInput, TextField, useRecordContext } from 'react-admin';
import { FrDateInput } from '../fr/pickers.tsx';
import { choices } from '../i18n.ts';
import { CommuneInput } from '../map/CommuneInput.tsx';
import { CodeField, PURPOSES, REQUEST_STATUSES, WeekdaysField } from './common.tsx';
import { requestsExporter } from '../fr/exporters.ts';

const PassengerName = () => {
  const r = useRecordContext<any>();
  return r ? <span>{`${r.firstName ?? ''} ${r.lastName ?? ''}`.trim()}</span> : null;
};

export const RequestList = () => (
  <List sort={{ field: 'createdAt', order: 'DESC' }} exporter={requestsExporter} filters={[
    <CommuneInput key="commune" source="communeInsee" alwaysOn />,
    <SelectInput key="status" source="status" choices={choices('requestStatus', REQUEST_STATUSES)} alwaysOn />,
    <SelectInput key="purpose" source="purpose" choices={choices('purposes', PURPOSES)} alwaysOn />,
    <FrDateInput key="date" source="date" />,
    <FrDateInput key="from" source="dateFrom" alwaysOn />,
    <FrDateInput key="to" source="dateTo" alwaysOn />,
  ]}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <ReferenceField source="passengerId" reference="passengers" link={false} sortable={false}><PassengerName /></ReferenceField>
      <TextField source="fromLabel" sortable={false} />
      <TextField source="toLabel" sortable={false} />
      <DateField source="date" />
      <WeekdaysField label="resources.requests.fields.weekdays" sortable={false} />
      <TextField source="time" />
      <CodeField group="purposes" source="purpose" />
      <CodeField group="requestStatus" source="status" />
      <DateField source="createdAt" showTime />
    </Datagrid>
  </List>
);
