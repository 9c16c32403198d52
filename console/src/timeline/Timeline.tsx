import { Alert, Box, Button, Chip, Link as MuiLink, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router';
import { api, messageOf } from '../api.ts';

/** One line of GET /api/requests/:id/timeline or /api/people/:id/timeline (services/src/domain/notes.ts). */
interface Entry {
  key: string;
  type: 'call' | 'note' | 'status' | 'request_status' | 'message' | 'request';
  at: string;
  actor: string | null;
  actorName: string | null;
  requestId: number | null;
  matchId: number | null;
  driverId: number | null;
  driverName: string | null;
  passengerId: number | null;
  passengerName: string | null;
  leg?: 'outbound' | 'return' | null;
  text?: string | null;
  subjectType?: 'request' | 'match' | 'person';
  from?: string | null;
  to?: string;
  reason?: string | null;
  messageKind?: string;
  channel?: string;
  status?: string;
  personName?: string | null;
  toRelay?: boolean;
  answer?: string | null;
  plannedAt?: string;
  fromLabel?: string | null;
  toLabel?: string | null;
  date?: string | null;
}

const PARIS = 'Europe/Paris';
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  timeZone: PARIS, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
/** "01/12/2026 14:05", Paris time, 24 h (the coordination's clock, wherever the browser is). */
export const frDateTime = (iso: string) => dateTimeFormat.format(new Date(iso)).replace(',', '');
/** "2026-12-01" → "01/12/2026". */
export const frDate = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** Who did it, in words: the account's name, else what the actor label stands for. */
export function actorText(actor: string | null, name: string | null): string {
  if (name) return name;
  if (!actor) return 'inconnu';
  if (actor === 'outbox') return 'envoi automatique';
  if (actor === 'public') return 'formulaire en ligne';
  if (actor === 'demo') return 'données de démonstration';
  if (actor === 'admin-token') return 'jeton d’administration';
  if (actor.startsWith('token:')) return `jeton d’API n° ${actor.slice(6)}`;
  if (actor.startsWith('sms:')) return 'réponse par SMS';
  if (actor.startsWith('voice:')) return 'réponse au téléphone (touche)';
  if (actor.startsWith('interop:')) return `application partenaire (${actor.slice(8)})`;
  if (actor.startsWith('citizen:')) return 'la personne, en ligne';
  if (actor.startsWith('user:')) return `compte n° ${actor.slice(5)}`;
  return actor;
}

const TYPE_CHIP: Record<Entry['type'], { label: string; color: 'primary' | 'secondary' | 'default' | 'info' | 'success' }> = {
  call: { label: 'Appel', color: 'primary' },
  note: { label: 'Note', color: 'secondary' },
  status: { label: 'Statut', color: 'info' },
  request_status: { label: 'Demande', color: 'success' },
  message: { label: 'Message', color: 'default' },
  request: { label: 'Demande', color: 'success' },
};

/**
 * What happened, newest first: calls and notes, the matches' status changes, the messages sent, the request taken;
 * who did it and when. On a request page the matches are named by their driver; on a person's page by the other
 * person and the request.
 */
export function Timeline({ subject, reason, version = 0, testId = 'timeline' }: {
  subject: { type: 'request' | 'person'; id: number };
  /** Why the notes are read (the audit's reason): the request handled, or the person's page. */
  reason: string;
  /** Changes when the page reloads what the timeline shows (a status changed). */
  version?: number;
  testId?: string;
}) {
  const t = useTranslate();
  const notify = useNotify();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<'call' | 'note'>('call');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const path = subject.type === 'request' ? `/api/requests/${subject.id}/timeline` : `/api/people/${subject.id}/timeline`;

  const load = useCallback(async () => {
    try {
      setEntries((await api<Entry[]>(path, { reason })).json);
      setError(null);
    } catch (e: any) {
      setError(messageOf(e.body, e.status));
    }
  }, [path, reason]);
  useEffect(() => { void load(); }, [load, version]);

  const add = async () => {
    setBusy(true);
    try {
      await api('/api/notes', { method: 'POST', reason, body: { subjectType: subject.type, subjectId: subject.id, kind, body: body.trim() } });
      setBody('');
      notify(kind === 'call' ? 'Appel noté' : 'Note ajoutée', { type: 'success' });
      await load();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  /** The match an entry is about, as this page names it. */
  const about = (e: Entry) => {
    if (e.matchId === null) return null;
    const other = subject.type === 'person'
      ? (subject.id === e.driverId ? e.passengerName ?? 'passager' : e.driverName ?? 'conducteur')
      : e.driverName ?? 'conducteur';
    // A round trip's two matches often have the same driver: the return says so.
    return <>avec <b>{other}</b>{e.leg === 'return' ? ' (retour)' : ''}</>;
  };
  const toRequest = (rid: number, text: string) => <MuiLink component={RouterLink} to={`/requests/${rid}/show`}>{text}</MuiLink>;
  const requestLink = (e: Entry) =>
    subject.type === 'person' && e.requestId !== null ? <> · {toRequest(e.requestId, `demande n° ${e.requestId}`)}</> : null;
  const quote = (s: string | null | undefined) =>
    s ? <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', mt: 0.5 }} data-testid="timeline-text">{s}</Typography>
      : s === '' ? <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>(texte effacé)</Typography> : null;

  const line = (e: Entry) => {
    switch (e.type) {
      case 'call':
      case 'note':
        // The chip says "Appel" or "Note": a line says what it is about only when it is not the page's subject.
        return (
          <>
            {e.matchId !== null ? <>Sur la mise en relation {about(e)}{requestLink(e)}</>
              : subject.type === 'person' && e.subjectType === 'request' ? <>Sur la {toRequest(e.requestId!, `demande n° ${e.requestId}`)}</> : null}
            {quote(e.text)}
          </>
        );
      case 'status':
        return (
          <>
            Mise en relation {about(e)} : {e.from ? `${t(`comobi.matchStatus.${e.from}`)} → ` : ''}<b>{t(`comobi.matchStatus.${e.to}`)}</b>
            {e.reason ? ` (${t(`comobi.${e.to}Reasons.${e.reason}`, { _: e.reason })})` : ''}{requestLink(e)}{quote(e.text)}
          </>
        );
      case 'request_status':
        return (
          <>
            {subject.type === 'person' ? toRequest(e.requestId!, `Demande n° ${e.requestId}`) : 'Demande'} :{' '}
            {e.from ? `${t(`comobi.requestStatus.${e.from}`)} → ` : ''}<b>{t(`comobi.requestStatus.${e.to}`)}</b>
            {e.reason ? ` (${t(`comobi.unservedReasons.${e.reason}`, { _: e.reason })})` : ''}
          </>
        );
      case 'message': {
        // A reminder waits for the day before the trip: say when it goes rather than only "En attente".
        const later = e.status === 'queued' && e.plannedAt && new Date(e.plannedAt).getTime() > Date.now() + 60_000;
        return (
          <Box component="span" sx={{ color: 'text.secondary' }}>
            {t(`comobi.messageKinds.${e.messageKind}`)} · {t(`comobi.messageChannels.${e.channel}`)} à {e.personName ?? 'destinataire'}
            {e.toRelay ? ' (un proche)' : ''} · {later ? `prévu le ${frDateTime(e.plannedAt!)}` : t(`comobi.messageStatus.${e.status}`)}
            {e.answer ? ` · réponse : ${e.answer}` : ''}{requestLink(e)}
          </Box>
        );
      }
      case 'request':
        return (
          <>
            {subject.type === 'person' ? toRequest(e.requestId!, `Demande n° ${e.requestId}`) : `Demande n° ${e.requestId}`} enregistrée
            {e.fromLabel || e.toLabel ? ` : ${e.fromLabel ?? 'départ'} → ${e.toLabel ?? 'arrivée'}` : ''}{e.date ? `, pour le ${frDate(e.date)}` : ''}
            {quote(e.text)}
          </>
        );
    }
  };

  return (
    <Box data-testid={testId}>
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'flex-start', flexWrap: 'wrap', mb: 2 }}>
        <ToggleButtonGroup exclusive size="small" value={kind} onChange={(_, v) => v && setKind(v)} aria-label="Type de note">
          <ToggleButton value="call" data-testid="note-kind-call">Appel</ToggleButton>
          <ToggleButton value="note" data-testid="note-kind-note">Note</ToggleButton>
        </ToggleButtonGroup>
        <TextField label="Ajouter une note" value={body} onChange={(e) => setBody(e.target.value)} size="small" multiline maxRows={6}
          placeholder={kind === 'call' ? 'Ce qui a été dit au téléphone, ce qui est convenu…' : 'À retenir pour la suite…'}
          // Ctrl+Entrée adds the note without leaving the keyboard (Entrée alone makes a new line).
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && body.trim() && !busy) void add(); }}
          helperText="Ctrl+Entrée pour ajouter"
          sx={{ flex: 1, minWidth: 260 }} slotProps={{ htmlInput: { maxLength: 4000, 'data-testid': 'note-body' } }} />
        <Button variant="contained" onClick={add} disabled={busy || !body.trim()} data-testid="note-add">Ajouter</Button>
      </Stack>
      {error ? <Alert severity="error">{t(error, { _: error })}</Alert> : null}
      {entries && entries.length === 0 ? <Typography variant="body2">Rien encore : ni note, ni appel, ni message.</Typography> : null}
      <Stack component="ol" spacing={1} sx={{ listStyle: 'none', p: 0, m: 0 }}>
        {(entries ?? []).map((e) => (
          <Box component="li" key={e.key} data-testid={`timeline-${e.type}`}
            sx={{ borderLeft: 3, borderColor: e.type === 'call' || e.type === 'note' ? 'primary.main' : 'divider', pl: 1.5, py: 0.5 }}>
            <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: 500 }}>{frDateTime(e.at)}</Typography>
              <Chip size="small" variant="outlined" color={TYPE_CHIP[e.type].color} label={TYPE_CHIP[e.type].label} />
              <Typography variant="body2" color="text.secondary">{actorText(e.actor, e.actorName)}</Typography>
            </Stack>
            <Box sx={{ typography: 'body2', mt: 0.25 }}>{line(e)}</Box>
          </Box>
        ))}
      </Stack>
    </Box>
  );
}
