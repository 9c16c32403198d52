import { Chip } from '@mui/material';
import { useTranslate } from 'react-admin';

// Apart from messages.tsx: the request review page shows it without loading the messages list and its inputs.
/** The status as a chip; a message still queued after a failed attempt is flagged late. */
export function MessageStatus({ m }: { m: { status: string; late: boolean } }) {
  const t = useTranslate();
  const color = m.late || m.status === 'failed' ? 'error' : m.status === 'dry_run' ? 'default' : m.status === 'queued' ? 'warning' : 'success';
  return <Chip size="small" color={color} label={`${t(`comobi.messageStatus.${m.status}`)}${m.late ? ' · en retard' : ''}`} />;
}
