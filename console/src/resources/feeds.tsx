import { Datagrid, DateField, List, NumberField, ReferenceField, TextField } from 'react-admin';

/** Read-only: imports run with `npm run gtfs-import` (triggering one from the console is not wired yet). */
export const FeedList = () => (
  <List pagination={false} exporter={false}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="name" sortable={false} />
      <ReferenceField source="territoryId" reference="territories" link={false} sortable={false}><TextField source="name" /></ReferenceField>
      <TextField source="current.status" sortable={false} />
      <DateField source="current.importedAt" showTime sortable={false} />
      <DateField source="current.serviceEnd" sortable={false} />
      <NumberField source="versions" sortable={false} />
      <TextField source="sourceUrl" sortable={false} />
    </Datagrid>
  </List>
);
