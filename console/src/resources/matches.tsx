import { Datagrid, DateField, DateInput, FunctionField, List, NumberField, SelectInput, TextField } from 'react-admin';
import { choices } from '../i18n.ts';
import { CodeField, MATCH_STATUSES } from './common.tsx';

export const MatchList = () => (
  <List sort={{ field: 'id', order: 'DESC' }} filters={[
    <SelectInput key="status" source="status" choices={choices('matchStatus', MATCH_STATUSES)} alwaysOn />,
    <DateInput key="date" source="date" />,
    <DateInput key="from" source="dateFrom" alwaysOn />,
    <DateInput key="to" source="dateTo" alwaysOn />,
  ]}>
    <Datagrid rowClick={(_id, _res, r) => `/requests/${r.requestId}/show`} bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="requestId" sortable={false} />
      <DateField source="date" />
      <FunctionField label="Prise en charge" render={(r: any) => r.pickup.time} />
      <FunctionField source="detourS" render={(r: any) => `${Math.round(r.detourS / 60)} min`} />
      <NumberField source="score" options={{ maximumFractionDigits: 2 }} />
      <CodeField group="matchStatus" source="status" />
      <DateField source="statusChangedAt" showTime sortable={false} />
    </Datagrid>
  </List>
);
