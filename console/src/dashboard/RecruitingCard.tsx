import { lazy, Suspense } from 'react';

/** The recruiting card loads with its map (Leaflet) after the dashboard's counts: not in the scripts every page waits for. */
const Recruiting = lazy(() => import('./Recruiting.tsx').then((m) => ({ default: m.Recruiting })));

export function RecruitingCard({ territoryId }: { territoryId?: number | null }) {
  return (
    <Suspense fallback={null}>
      <Recruiting territoryId={territoryId} />
    </Suspense>
  );
}
