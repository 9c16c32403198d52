import { frFR as materialFr } from '@mui/material/locale';
import type { RaThemeOptions } from 'react-admin';

type Components = Record<string, { defaultProps?: object } & Record<string, unknown>>;

/**
 * A react-admin theme with MUI's French texts and French number and date formats ("Ouvrir" rather than "Open" on an
 * autocomplete's button; the pickers have theirs in pickers.tsx): each component's default props merged, the theme's own settings kept.
 */
export function withFrench(theme: RaThemeOptions): RaThemeOptions {
  const merged: Components = { ...(theme.components as Components) };
  // react-admin's fields format with the browser's language unless told: an English browser showed 08/12/2026.
  const fields: Components = { RaDateField: { defaultProps: { locales: 'fr-FR' } }, RaNumberField: { defaultProps: { locales: 'fr-FR' } } };
  for (const extra of [materialFr.components, fields] as Components[]) {
    for (const [name, value] of Object.entries(extra ?? {})) {
      merged[name] = { ...merged[name], ...value, defaultProps: { ...merged[name]?.defaultProps, ...value.defaultProps } };
    }
  }
  return { ...theme, components: merged as RaThemeOptions['components'] };
}
