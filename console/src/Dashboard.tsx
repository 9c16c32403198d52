import { Card, CardContent, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useTranslate } from 'react-admin';
import { api } from './api.ts';
import { currentUser } from './authProvider.ts';
import { RecruitingCard } from './dashboard/RecruitingCard.tsx';
import { WorkQueue } from './dashboard/WorkQueue.tsx';

type Stats = Record<string, Record<string, number> | number>;

/** Counts only (no personal data): what viewers get, and the coordinators' day at a glance. */
export function Dashboard() {
  const t = useTranslate();
  const [stats, setStats] = useState<Stats | null>(null);
  useEffect(() => {
    api<Stats>('/api/dashboard').then((r) => setStats(r.json)).catch(() => setStats({}));
  }, []);
  const me = currentUser();
  // Largest first (the API's order is the database's); a block with nothing to count says so rather than stay blank.
  const block = (title: string, key: string, group: string, empty: string) => {
    const entries = Object.entries((stats?.[key] as Record<string, number>) ?? {}).sort(([, a], [, b]) => b - a);
    return (
      <Card sx={{ minWidth: 240 }} data-testid={`dashboard-${key}`}>
        <CardContent>
          <Typography variant="subtitle1">{title}</Typography>
          {entries.map(([k, n]) => (
            <Typography key={k} variant="body2">{group ? t(`comobi.${group}.${k}`) : k} : <b>{n}</b></Typography>
          ))}
          {stats && entries.length === 0 ? <Typography variant="body2" color="text.secondary">{empty}</Typography> : null}
        </CardContent>
      </Card>
    );
  };
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      <Title title="Tableau de bord" />
      <Typography variant="h5">Bonjour {me?.displayName ?? me?.email}</Typography>
      <Typography variant="body2">
        {me?.role === 'admin' ? 'Tous les territoires' : me?.territories.map((x) => x.name).join(', ') || 'Aucun territoire attribué'}
        {' · '}{me ? t(`comobi.roles.${me.role}`) : ''}
      </Typography>
      <WorkQueue />
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
        {block('Demandes par statut', 'requestsByStatus', 'requestStatus', 'Aucune demande')}
        {block('Demandes par motif', 'requestsByPurpose', 'purposes', 'Aucune demande')}
        {block('Mises en relation', 'matchesByStatus', 'matchStatus', 'Aucune mise en relation')}
        {block('Raisons des demandes non servies', 'unservedReasons', 'unservedReasons', 'Aucune demande classée sans solution')}
        <Card sx={{ minWidth: 240 }}>
          <CardContent>
            <Typography variant="subtitle1">Personnes et trajets</Typography>
            <Typography variant="body2">Conducteurs : <b>{(stats?.people as any)?.drivers ?? 0}</b></Typography>
            <Typography variant="body2">Passagers : <b>{(stats?.people as any)?.passengers ?? 0}</b></Typography>
            <Typography variant="body2">Les deux : <b>{(stats?.people as any)?.both ?? 0}</b></Typography>
            <Typography variant="body2">Trajets actifs : <b>{String(stats?.activeTrips ?? 0)}</b></Typography>
            <Typography variant="body2">Trajets réalisés (un aller-retour en compte deux) : <b>{String(stats?.tripsDone ?? 0)}</b></Typography>
            <Typography variant="body2">Allers-retours demandés / réalisés : <b>{(stats?.roundTrips as any)?.requested ?? 0} / {(stats?.roundTrips as any)?.served ?? 0}</b></Typography>
          </CardContent>
        </Card>
      </Stack>
      <RecruitingCard />
    </Stack>
  );
}
