import { Button } from '@mui/material';
import { Datagrid, DateField, DateInput, List, TextField, TextInput, TopToolbar, useListContext } from 'react-admin';
import { CodeField } from './common.tsx';

/** The CSV export is a plain link: the session cookie goes with it, GET needs no CSRF token. */
function ExportCsv() {
  const { filterValues, sort } = useListContext();
  const q = new URLSearchParams({ filter: JSON.stringify(filterValues), sort: JSON.stringify([sort.field, sort.order]) });
  return <Button href={`/api/audit/export.csv?${q}`} size="small" data-testid="audit-export">Exporter (CSV)</Button>;
}

export const AuditList = () => (
  <List sort={{ field: 'at', order: 'DESC' }} exporter={false} actions={<TopToolbar><ExportCsv /></TopToolbar>} filters={[
    <TextInput key="actor" source="actor" alwaysOn />,
    <TextInput key="reason" source="reason" alwaysOn />,
    <DateInput key="from" source="dateFrom" />,
    <DateInput key="to" source="dateTo" />,
  ]}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <DateField source="at" showTime />
      <TextField source="actor" />
      <CodeField group="roles" source="actorRole" sortable={false} />
      <CodeField group="auditActions" source="action" />
      <TextField source="subjectType" sortable={false} />
      <TextField source="subjectId" sortable={false} />
      <TextField source="fields" sortable={false} />
      <TextField source="reason" sortable={false} />
    </Datagrid>
  </List>
);
