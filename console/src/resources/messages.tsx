import { Alert, Button, Chip, Stack, Typography } from '@mui/material';
import {
  BooleanInput, Datagrid, DateField, FunctionField, List, NumberField, SelectInput, Show, SimpleShowLayout, TextField,
  useRecordContext, useTranslate,
} from 'react-admin';
import { choices } from '../i18n.ts';
import { CodeField } from './common.tsx';
import { MessageStatus } from './MessageStatus.tsx';

export { MessageStatus };

export const MESSAGE_KINDS = ['confirmation', 'reminder', 'cancellation', 'driver_request', 'reply'];
export const MESSAGE_CHANNELS = ['sms', 'voice', 'letter'];
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'answered', 'dry_run', 'cancelled'];

export const MessageList = () => (
  <List sort={{ field: 'createdAt', order: 'DESC' }} exporter={false} filters={[
    <SelectInput key="status" source="status" choices={choices('messageStatus', MESSAGE_STATUSES)} alwaysOn />,
    <SelectInput key="kind" source="kind" choices={choices('messageKinds', MESSAGE_KINDS)} alwaysOn />,
    <SelectInput key="channel" source="channel" choices={choices('messageChannels', MESSAGE_CHANNELS)} />,
    <BooleanInput key="late" source="late" />,
  ]}>
    <Datagrid bulkActionButtons={false} rowClick="show">
      <DateField source="createdAt" showTime />
      <CodeField group="messageKinds" source="kind" />
      <CodeField group="messageChannels" source="channel" sortable={false} />
      <FunctionField source="status" render={(m: any) => <MessageStatus m={m} />} />
      <TextField source="to" sortable={false} />
      <TextField source="requestId" sortable={false} />
      <TextField source="personId" sortable={false} />
      <DateField source="sentAt" showTime />
    </Datagrid>
  </List>
);

/** The text exactly as it went (or, in a dry run, would have gone). */
function MessageText() {
  const m = useRecordContext<any>();
  if (!m) return null;
  return (
    <Stack spacing={1}>
      {m.status === 'dry_run' ? <Alert severity="info">Simulation : aucun fournisseur n’est configuré, ce message n’est pas parti.</Alert> : null}
      <Typography component="pre" data-testid="message-text" sx={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', p: 1, bgcolor: 'grey.100', borderRadius: 1 }}>
        {m.text}
      </Typography>
      {m.channel === 'sms' && m.segments ? <Typography variant="caption">{m.segments} SMS ({m.encoding})</Typography> : null}
      {m.channel === 'letter' ? <Button href={`/api/messages/${m.id}/letter.pdf`} target="_blank" variant="outlined">Imprimer le courrier (PDF)</Button> : null}
    </Stack>
  );
}

export const MessageShow = () => (
  <Show>
    <SimpleShowLayout>
      <CodeField group="messageKinds" source="kind" />
      <CodeField group="messageChannels" source="channel" />
      <FunctionField source="status" render={(m: any) => <MessageStatus m={m} />} />
      <TextField source="to" />
      <FunctionField source="toRelay" render={(m: any) => (m.toRelay ? 'Oui (proche ou aidant)' : 'Non')} />
      <TextField source="requestId" />
      <TextField source="matchId" />
      <TextField source="personId" />
      <DateField source="createdAt" showTime />
      <DateField source="plannedAt" showTime />
      <DateField source="sentAt" showTime />
      <DateField source="deliveredAt" showTime />
      <TextField source="answer" />
      <NumberField source="attempts" />
      <TextField source="lastError" />
      <MessageText />
    </SimpleShowLayout>
  </Show>
);
