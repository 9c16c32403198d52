import { lazy, Suspense } from 'react';

/**
 * The person page's TUS part (eligibility, proof, memberships), loaded on first use: its date pickers stay out of
 * the scripts every console page waits for.
 */
const Panel = lazy(() => import('./TusEligibilityPanel.tsx').then((m) => ({ default: m.TusEligibilityPanel })));

export const TusEligibility = () => (
  <Suspense fallback={null}>
    <Panel />
  </Suspense>
);
