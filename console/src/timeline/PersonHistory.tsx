import { Box, Typography } from '@mui/material';
import { ReferenceManyField, Datagrid, FunctionField, useRecordContext, useTranslate, TextField } from 'react-admin';
import { ResumeButton } from './Resume.tsx';
import { frDate, Timeline } from './Timeline.tsx';

/** A passenger's requests, newest first, each one click from its page or from a new request made from it. */
export function PersonRequests() {
  const r = useRecordContext<{ id: number; isPassenger: boolean }>();
  const t = useTranslate();
  // A driver who never asked for a ride has no requests to list.
  if (!r?.isPassenger) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="h6">Ses demandes comme passager</Typography>
      <ReferenceManyField reference="requests" target="passengerId" sort={{ field: 'id', order: 'DESC' }} perPage={50}
        empty={<span>Aucune demande</span>}>
        <Datagrid rowClick="show" bulkActionButtons={false} data-testid="person-requests">
          <TextField source="id" label="N°" sortable={false} />
          <FunctionField label="Quand" render={(q: any) => (q.date ? frDate(q.date) : (q.weekdays ?? []).map((d: number) => t(`comobi.weekdays.${d}`)).join(' '))} />
          <FunctionField label="Heure" render={(q: any) => `${t(`comobi.timeKind.${q.timeKind}`)} ${q.time}`} />
          <FunctionField label="Trajet" render={(q: any) => `${q.fromLabel ?? 'départ'} → ${q.toLabel ?? 'arrivée'}`} />
          <FunctionField label="Statut" render={(q: any) => t(`comobi.requestStatus.${q.status}`)} />
          <FunctionField label="" render={(q: any) => <ResumeButton requestId={q.id} />} />
        </Datagrid>
      </ReferenceManyField>
    </Box>
  );
}

/** Everything that happened with the person: notes and calls, their requests and matches, messages sent to them. */
export function PersonTimeline() {
  const r = useRecordContext<{ id: number }>();
  if (!r) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="h6" sx={{ mb: 1 }}>Historique : appels, notes, statuts, messages</Typography>
      <Timeline subject={{ type: 'person', id: r.id }} reason={`person:${r.id}`} testId="person-timeline" />
    </Box>
  );
}
