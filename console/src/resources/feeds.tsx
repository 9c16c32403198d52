import UploadIcon from '@mui/icons-material/CloudDownload';
import { Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import {
  Button, Datagrid, DateField, FunctionField, List, NumberField, ReferenceField, Show, SimpleShowLayout, TextField, TopToolbar, useRecordContext,
} from 'react-admin';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { StatusChip, type Job } from '../feeds/FeedImport.tsx';
import { ImportReportView } from '../feeds/ImportReport.tsx';

/** The last imports started from the console, each linked to its progress page. */
function RecentImports() {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  useEffect(() => {
    api<Job[]>(`/api/feeds/imports?${new URLSearchParams({ sort: '["id","DESC"]', range: '[0,9]' })}`).then((r) => setJobs(r.json)).catch(() => setJobs([]));
  }, []);
  if (!jobs?.length) return null;
  return (
    <Card sx={{ mt: 2 }}>
      <CardContent>
        <Typography variant="h6">Derniers imports</Typography>
        <Table size="small">
          <TableHead><TableRow><TableCell>N°</TableCell><TableCell>Nom</TableCell><TableCell>État</TableCell><TableCell>Lancé le</TableCell><TableCell>Par</TableCell></TableRow></TableHead>
          <TableBody>
            {jobs.map((j) => (
              <TableRow key={j.id} hover>
                <TableCell><Link to={`/feed-imports/${j.id}`}>{j.id}</Link></TableCell>
                <TableCell>{j.name}</TableCell>
                <TableCell><StatusChip status={j.status} /></TableCell>
                <TableCell>{new Date(j.createdAt).toLocaleString('fr-FR')}</TableCell>
                <TableCell>{j.createdBy}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

const VERSION_STATUS: Record<string, string> = { active: 'Active', loading: 'En cours', failed: 'Échec', superseded: 'Remplacée' };
const versionStatus = (r: any) => (r.current ? VERSION_STATUS[r.current.status] ?? r.current.status : 'Aucune version');

const FeedActions = () => (
  <TopToolbar>
    <Button component={Link} to="/feeds/create" label="Importer un flux" data-testid="import-feed"><UploadIcon /></Button>
  </TopToolbar>
);

const frDate = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
/** A timetable replayed over the current period (the demo's TER): its dates as published, and by how much they moved. */
export function shiftText(shift: { days: number; published: { start: string; end: string } | null } | null | undefined): string {
  if (!shift) return 'tels que publiés';
  const weeks = shift.days / 7;
  const by = Number.isInteger(weeks) ? `${weeks} semaine${weeks > 1 ? 's' : ''}` : `${shift.days} jours`;
  return `publiés du ${shift.published ? `${frDate(shift.published.start)} au ${frDate(shift.published.end)}` : '?'}, décalés de ${by} sur la période actuelle`;
}

export const FeedList = () => (
  <>
    <List pagination={false} exporter={false} actions={<FeedActions />} empty={false}>
      <Datagrid bulkActionButtons={false} rowClick="show">
        <TextField source="name" sortable={false} />
        <ReferenceField source="territoryId" reference="territories" link={false} sortable={false}><TextField source="name" /></ReferenceField>
        <FunctionField source="current.status" sortable={false} render={versionStatus} />
        <DateField source="current.importedAt" showTime sortable={false} />
        <DateField source="current.serviceEnd" sortable={false} />
        <FunctionField label="Horaires" sortable={false} render={(r: any) => shiftText(r.current?.calendarShift)} />
        <NumberField source="versions" sortable={false} />
        <TextField source="sourceUrl" sortable={false} />
      </Datagrid>
    </List>
    <RecentImports />
  </>
);

function CurrentReport() {
  const r = useRecordContext<any>();
  if (!r) return null;
  if (!r.current?.report?.files) return <Typography>Aucun rapport d’import.</Typography>;
  return <ImportReportView report={r.current.report} />;
}

export const FeedShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="name" />
      <ReferenceField source="territoryId" reference="territories" link={false} emptyText="Tous les territoires"><TextField source="name" /></ReferenceField>
      <TextField source="sourceUrl" />
      <TextField source="tdgDatasetId" emptyText="—" />
      <FunctionField source="current.status" render={versionStatus} />
      <NumberField source="current.version" />
      <DateField source="current.importedAt" showTime />
      <DateField source="current.serviceStart" />
      <DateField source="current.serviceEnd" />
      <FunctionField label="Horaires" render={(r: any) => shiftText(r.current?.calendarShift)} />
      <NumberField source="versions" />
      <CurrentReport />
    </SimpleShowLayout>
  </Show>
);
