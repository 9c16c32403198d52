import { FunctionField, useTranslate, type FunctionFieldProps } from 'react-admin';

/** A coded value shown through its French message (comobi.<group>.<code>). */
/** A code (or a list of codes) in French; `empty`: what a show page says when there is none (a list leaves it blank). */
export function CodeField({ group, source, empty = '', ...rest }: { group: string; source: string; empty?: string } & Omit<FunctionFieldProps, 'render'>) {
  const t = useTranslate();
  return <FunctionField source={source} {...rest} render={(r: any) => (r?.[source] == null || (Array.isArray(r[source]) && r[source].length === 0) ? empty : Array.isArray(r[source]) ? r[source].map((v: string) => t(`comobi.${group}.${v}`)).join(', ') : t(`comobi.${group}.${r[source]}`))} />;
}

export function WeekdaysField({ source = 'weekdays', ...rest }: { source?: string } & Omit<FunctionFieldProps, 'render'>) {
  const t = useTranslate();
  return <FunctionField source={source} {...rest} render={(r: any) => (r?.[source] ?? []).map((d: number) => t(`comobi.weekdays.${d}`)).join(' ')} />;
}

export const PURPOSES = ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other'];
export const NEEDS = ['wheelchair', 'reduced_mobility', 'visual', 'hearing', 'assistance_dog', 'child_seat', 'luggage'];
export const REQUEST_STATUSES = ['open', 'matched', 'served', 'unserved', 'cancelled'];
export const MATCH_STATUSES = ['proposed', 'contacted', 'accepted', 'declined', 'confirmed', 'done', 'cancelled'];
