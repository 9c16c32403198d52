import { Alert, Box, Button, Card, CardContent, Chip, Link as MuiLink, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslate } from 'react-admin';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { currentUser } from '../authProvider.ts';
import { PhoneLink } from '../fr/PhoneLink.tsx';

type SectionKey = 'tripsToday' | 'tripsTomorrow' | 'toConfirm' | 'awaitingAnswer' | 'callBack' | 'noSolution';
interface Item {
  requestId: number; matchId: number | null; territoryId: number; leg: 'outbound' | 'return' | null; date: string | null; weekdays: number[];
  time: string; timeKind: 'depart' | 'arrive' | 'pickup'; fromLabel: string | null; toLabel: string | null; status: string; passed: boolean; since: string;
  passengerName: string | null; passengerPhone: string | null; driverName: string | null; driverPhone: string | null;
}
interface Queue {
  today: string; tomorrow: string; answerWaitHours: Record<string, number>;
  sections: { key: SectionKey; count: number; passed: number; items?: Item[] }[];
}

/** dd/mm/yyyy of an API day ('YYYY-MM-DD'), as every French date of the console. */
const frDay = (iso: string) => iso.split('-').reverse().join('/');
const longDay = (iso: string) => new Date(`${iso}T12:00:00`).toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' });
const at = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).replace(' ', ' à ');
/** "depuis 30 h", "depuis 2 j" */
function waited(iso: string, now = Date.now()) {
  const h = Math.max(0, Math.floor((now - Date.parse(iso)) / 3_600_000));
  return h < 48 ? `depuis ${h} h` : `depuis ${Math.floor(h / 24)} j`;
}

const SHOWN = 5;
/** A number is never cut across two lines. */
const Phone = ({ phone }: { phone: string | null }) => <Box component="span" sx={{ whiteSpace: 'nowrap' }}><PhoneLink phone={phone} /></Box>;

/**
 * What the coordinator has to do today, one click from each item: trips to remind, acceptances to confirm, drivers
 * who did not answer, public requests to call back, requests no driver serves. Viewers see the counts only (the API
 * sends them nothing else).
 */
export function WorkQueue() {
  const t = useTranslate();
  const [queue, setQueue] = useState<Queue | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState<Partial<Record<SectionKey, boolean>>>({});
  const [showPassed, setShowPassed] = useState(false);
  useEffect(() => {
    api<Queue>('/api/work-queue', { reason: 'work-queue' }).then((r) => setQueue(r.json)).catch(() => setFailed(true));
  }, []);
  const viewer = currentUser()?.role === 'viewer';
  if (failed) return <Alert severity="warning">La liste du travail du jour n’a pas pu être chargée.</Alert>;
  if (!queue) return <Typography variant="body2" color="text.secondary">Chargement du travail du jour…</Typography>;

  const hours = [...new Set(Object.values(queue.answerWaitHours))];
  const titles: Record<SectionKey, { title: string; hint: string; empty: string }> = {
    tripsToday: { title: `Trajets d’aujourd’hui, ${longDay(queue.today)}`, hint: 'Confirmés : un rappel au passager et au conducteur', empty: 'Aucun trajet aujourd’hui' },
    tripsTomorrow: { title: `Trajets de demain, ${longDay(queue.tomorrow)}`, hint: 'Confirmés : prévenir la veille', empty: 'Aucun trajet demain' },
    toConfirm: { title: 'Acceptées, à confirmer', hint: 'Le conducteur a dit oui : confirmer aux deux', empty: 'Rien à confirmer' },
    awaitingAnswer: {
      title: 'Conducteurs sans réponse',
      hint: hours.length === 1 ? `Contactés il y a plus de ${hours[0]} h` : `Contactés il y a plus de ${hours.join(' ou ')} h selon le territoire`,
      empty: 'Aucune relance à faire',
    },
    callBack: { title: 'Demandes en ligne à rappeler', hint: 'Faites sur le site public : ni appel noté, ni conducteur contacté', empty: 'Aucune demande en ligne en attente' },
    noSolution: { title: 'Demandes sans solution', hint: 'Ouvertes, sans conducteur proposé ou tous ont refusé', empty: 'Toutes les demandes ont une piste' },
  };
  const when = (i: Item) => {
    const day = i.date ? frDay(i.date) : i.weekdays.map((d) => t(`comobi.weekdays.${d}`)).join(', ');
    const time = i.timeKind === 'pickup' ? `prise en charge ${i.time}` : `${t(`comobi.timeKind.${i.timeKind}`).toLowerCase()} à ${i.time}`;
    return `${day} · ${time}`;
  };

  return (
    <Card data-testid="work-queue">
      <CardContent>
        <Typography variant="h6" component="h2">À faire</Typography>
        {viewer ? <Typography variant="body2" color="text.secondary">Le détail (noms, numéros) est réservé aux coordinateurs : seuls les nombres sont affichés.</Typography> : null}
        <Box sx={{ mt: 1, display: 'grid', gap: 2, alignItems: 'start', gridTemplateColumns: { xs: '1fr', md: 'repeat(2, minmax(0, 1fr))', lg: 'repeat(3, minmax(0, 1fr))' } }}>
          {queue.sections.map((s) => {
            const { title, hint, empty } = titles[s.key];
            // Today's requests whose time went by come last from the API: listed apart, under their own count.
            const ahead = (s.items ?? []).filter((i) => !i.passed);
            const passed = (s.items ?? []).filter((i) => i.passed);
            const aheadCount = s.count - s.passed;
            const shown = open[s.key] ? ahead : ahead.slice(0, SHOWN);
            return (
              <Box key={s.key} data-testid={`queue-${s.key}`} sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5, minWidth: 0 }}>
                <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', justifyContent: 'space-between' }}>
                  <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600, lineHeight: 1.3 }}>{title}</Typography>
                  <Chip size="small" label={s.count} color={s.count ? 'primary' : 'default'} data-testid={`queue-count-${s.key}`} aria-label={`${s.count} à traiter`} />
                </Stack>
                <Typography variant="caption" component="p" color="text.secondary" sx={{ lineHeight: 1.4, mt: 0.25 }}>{hint}</Typography>
                {viewer ? (
                  s.passed ? <Typography variant="caption" component="p" color="text.secondary">dont {s.passed} passée{s.passed > 1 ? 's' : ''} aujourd’hui</Typography> : null
                ) : s.count === 0 ? (
                  <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>{empty}</Typography>
                ) : (
                  <Box component="ul" sx={{ listStyle: 'none', p: 0, m: 0, mt: 1 }}>
                    {aheadCount === 0 ? (
                      <Box component="li" sx={{ py: 0.75 }}><Typography variant="body2" color="text.secondary">Aucune demande à venir</Typography></Box>
                    ) : null}
                    {shown.map((i) => <QueueLine key={`${i.requestId}-${i.matchId ?? ''}`} i={i} section={s.key} when={when} />)}
                    {aheadCount > shown.length ? (
                      <Box component="li" sx={{ pt: 0.5 }}>
                        {ahead.length > shown.length ? (
                          <Button size="small" onClick={() => setOpen((o) => ({ ...o, [s.key]: true }))}>Tout afficher ({aheadCount > ahead.length ? `${ahead.length} sur ${aheadCount}` : ahead.length})</Button>
                        ) : (
                          <Typography variant="caption" color="text.secondary">et {aheadCount - shown.length} de plus</Typography>
                        )}
                      </Box>
                    ) : null}
                    {s.passed ? (
                      <Box component="li" data-testid={`queue-passed-${s.key}`} sx={{ mt: 1, pt: 0.75, borderTop: 1, borderColor: 'divider' }}>
                        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', justifyContent: 'space-between' }}>
                          <Typography variant="body2" sx={{ fontWeight: 500 }}>Passées, à classer</Typography>
                          <Chip size="small" label={s.passed} data-testid={`queue-passed-count-${s.key}`} aria-label={`${s.passed} passées`} />
                        </Stack>
                        <Typography variant="caption" component="p" color="text.secondary" sx={{ lineHeight: 1.4 }}>D’aujourd’hui, l’heure demandée est passée</Typography>
                        {showPassed ? (
                          <Box component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }}>
                            {passed.map((i) => <QueueLine key={`${i.requestId}-${i.matchId ?? ''}`} i={i} section={s.key} when={when} />)}
                            {s.passed > passed.length ? (
                              <Box component="li" sx={{ pt: 0.5 }}><Typography variant="caption" color="text.secondary">et {s.passed - passed.length} de plus</Typography></Box>
                            ) : null}
                          </Box>
                        ) : (
                          <Button size="small" onClick={() => setShowPassed(true)}>Afficher</Button>
                        )}
                      </Box>
                    ) : null}
                  </Box>
                )}
              </Box>
            );
          })}
        </Box>
      </CardContent>
    </Card>
  );
}

/** One item of a section: who (a link to the request's review page), when, where, and the phones to call. */
function QueueLine({ i, section, when }: { i: Item; section: SectionKey; when: (i: Item) => string }) {
  return (
    <Box component="li" sx={{ py: 0.75, borderTop: 1, borderColor: 'divider' }}>
      <MuiLink component={Link} to={`/requests/${i.requestId}/show${i.matchId ? `?match=${i.matchId}` : ''}`} underline="hover"
        data-testid={`queue-item-${section}`} sx={{ fontWeight: 500 }}>
        {i.passengerName ?? `Demande n° ${i.requestId}`}{i.driverName ? ` avec ${i.driverName}` : ''}
      </MuiLink>
      <Typography variant="body2">{when(i)}{i.leg === 'return' ? ' · retour' : ''}</Typography>
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
        {i.fromLabel ?? 'départ'} → {i.toLabel ?? 'arrivée'}
      </Typography>
      <Typography variant="caption" color="text.secondary" component="div">
        {section === 'awaitingAnswer' ? <>Contacté {waited(i.since)} · </> : null}
        {section === 'callBack' ? <>Reçue le {at(i.since)} · </> : null}
        {section === 'callBack' || section === 'noSolution'
          ? <>Passager : {i.passengerPhone ? <Phone phone={i.passengerPhone} /> : 'pas de numéro'}</>
          : <>Passager <Phone phone={i.passengerPhone} /> · conducteur <Phone phone={i.driverPhone} /></>}
      </Typography>
    </Box>
  );
}
