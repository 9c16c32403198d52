import { Button, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api.ts';
import { MessageStatus } from '../resources/MessageStatus.tsx';

interface Message {
  id: number; matchId: number | null; personId: number | null; kind: string; channel: string; status: string; late: boolean;
  to: string; toRelay: boolean; createdAt: string; sentAt: string | null; answer: string | null;
}

/** How often and how many times the card asks again while a message is on its way (about half a minute). */
const RECHECK_MS = 2000;
const RECHECK_TIMES = 15;

const when = (s: string | null) => (s ? new Date(s).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '—');

/**
 * The messages of a request (confirmations, reminders, driver requests and answers), reloaded when the request
 * changes; the text of one is fetched when asked for (reading it is audited with the request as the reason).
 */
export function RequestMessages({ requestId, version, names }: { requestId: number; version: number; names: (personId: number | null) => string }) {
  const t = useTranslate();
  const [rows, setRows] = useState<Message[] | null>(null);
  const [texts, setTexts] = useState<Map<number, string>>(new Map());
  const reason = `request:${requestId}`;
  useEffect(() => {
    const q = new URLSearchParams({ filter: JSON.stringify({ requestId }), sort: JSON.stringify(['id', 'ASC']), range: '[0,99]' });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A confirmation just queued goes within seconds (the outbox sender): ask again until it has gone, so the card
    // does not keep saying « En attente » for a message already sent. Reminders wait for their day: they are not
    // waited for. Bounded, so a provider that is down does not make the page poll forever.
    const load = (left: number) =>
      api<Message[]>(`/api/messages?${q}`, { reason })
        .then((r) => {
          if (stopped) return;
          setRows(r.json);
          const sendingNow = r.json.some((m) => m.status === 'queued' && m.kind !== 'reminder');
          if (sendingNow && left > 0) timer = setTimeout(() => load(left - 1), RECHECK_MS);
        })
        .catch(() => !stopped && setRows([]));
    void load(RECHECK_TIMES);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [requestId, version]);
  const show = async (id: number) => {
    const r = await api<{ text: string }>(`/api/messages/${id}`, { reason });
    setTexts((m) => new Map(m).set(id, r.json.text));
  };
  if (!rows) return null;
  if (!rows.length) return <Typography variant="body2">Aucun message pour cette demande.</Typography>;
  return (
    <Table size="small" data-testid="request-messages">
      <TableHead>
        <TableRow>
          <TableCell>Quand</TableCell><TableCell>Message</TableCell><TableCell>À</TableCell><TableCell>Canal</TableCell>
          <TableCell>Statut</TableCell><TableCell>Texte</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((m) => (
          <TableRow key={m.id} data-testid={`message-${m.id}`}>
            <TableCell>{when(m.sentAt ?? m.createdAt)}</TableCell>
            <TableCell>{t(`comobi.messageKinds.${m.kind}`)}{m.answer ? ` · réponse : ${m.answer}` : ''}</TableCell>
            <TableCell>{names(m.personId)}{m.toRelay ? ' (proche)' : ''}<br /><small>{m.to}</small></TableCell>
            <TableCell>{t(`comobi.messageChannels.${m.channel}`)}</TableCell>
            <TableCell><MessageStatus m={m} /></TableCell>
            <TableCell sx={{ maxWidth: 420 }}>
              {texts.has(m.id) ? <span style={{ whiteSpace: 'pre-wrap' }} data-testid={`message-text-${m.id}`}>{texts.get(m.id)}</span>
                : <Button size="small" onClick={() => void show(m.id)}>Voir le texte</Button>}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
