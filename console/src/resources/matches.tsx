import { Datagrid, DateField, FunctionField, List, NumberField, ReferenceField, SelectInput, Show, SimpleShowLayout, TextField, useRecordContext, useTranslate } from 'react-admin';
import { FrDateInput } from '../fr/pickers.tsx';
import { Link } from 'react-router';
import { km } from '../fr/format.ts';
import { matchesExporter } from '../fr/exporters.ts';
import { choices } from '../i18n.ts';
import { CodeField, MATCH_STATUSES } from './common.tsx';

const detour = (r: any) => `${Math.round(r.detourS / 60)} min · ${km(r.detourM)}`;

export const MatchList = () => (
  <List sort={{ field: 'id', order: 'DESC' }} exporter={matchesExporter} filters={[
    <SelectInput key="status" source="status" choices={choices('matchStatus', MATCH_STATUSES)} alwaysOn />,
    <FrDateInput key="date" source="date" />,
    <FrDateInput key="from" source="dateFrom" alwaysOn />,
    <FrDateInput key="to" source="dateTo" alwaysOn />,
  ]}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="requestId" sortable={false} />
      <TextField source="passengerName" sortable={false} emptyText="—" />
      <TextField source="driverName" sortable={false} emptyText="—" />
      <DateField source="date" />
      {/* A round trip is two matches: which of the passenger's legs this one is. */}
      <FunctionField label="Sens" render={(r: any) => (r.requestLeg === 'return' ? 'Retour' : 'Aller')} />
      <FunctionField label="Prise en charge" render={(r: any) => r.pickup.time} />
      <FunctionField source="detourS" render={detour} />
      <NumberField source="score" options={{ maximumFractionDigits: 2 }} />
      <CodeField group="matchStatus" source="status" />
      <DateField source="statusChangedAt" showTime sortable={false} />
    </Datagrid>
  </List>
);

/** The match's history: each status change, who made it and the note left with it. */
function MatchEvents() {
  const r = useRecordContext<any>();
  const t = useTranslate();
  if (!r?.events?.length) return <span>Aucun changement de statut</span>;
  return (
    <ul data-testid="match-events" style={{ margin: 0, paddingLeft: 20 }}>
      {r.events.map((e: any, i: number) => (
        <li key={i}>
          {new Date(e.at).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })} · {t(`comobi.matchStatus.${e.to}`)}
          {e.reason ? ` (${e.reason})` : ''}{e.note ? ` : « ${e.note} »` : ''}
        </li>
      ))}
    </ul>
  );
}

/** A match on its own: who, when, the detour, its status and history, with links to the request and the trip. */
export const MatchShow = () => (
  <Show>
    <SimpleShowLayout>
      <FunctionField source="requestId" render={(r: any) => <Link to={`/requests/${r.requestId}/show`}>Demande n° {r.requestId}</Link>} />
      <TextField source="passengerName" emptyText="—" />
      <ReferenceField source="driverId" reference="drivers" link="show"><FunctionField render={(d: any) => `${d.firstName ?? ''} ${d.lastName ?? ''}`.trim()} /></ReferenceField>
      <FunctionField source="tripId" render={(r: any) => <Link to={`/trips/${r.tripId}/show`}>Trajet n° {r.tripId}</Link>} />
      <DateField source="date" />
      <FunctionField label="Prise en charge" render={(r: any) => r.pickup.time} />
      <FunctionField label="Dépose" render={(r: any) => r.dropoff.time} />
      <FunctionField source="detourS" render={detour} />
      <CodeField group="matchStatus" source="status" />
      <TextField source="statusReason" emptyText="—" />
      <TextField source="note" emptyText="—" />
      <DateField source="statusChangedAt" showTime />
      <FunctionField label="Historique" render={() => <MatchEvents />} />
    </SimpleShowLayout>
  </Show>
);
