import { Link } from '@mui/material';
import { FunctionField, type FunctionFieldProps } from 'react-admin';
import { telHref } from './format.ts';

/** A phone number a coordinator can call with one click (softphone, or the phone itself on a tablet). */
export function PhoneLink({ phone }: { phone: string | null | undefined }) {
  if (!phone) return null;
  return <Link href={telHref(phone)} onClick={(e) => e.stopPropagation()} data-testid="tel-link">{phone}</Link>;
}

/** react-admin field of a record's phone number as a tel: link (a click on it does not open the row). */
export function PhoneField({ source = 'phone', ...rest }: { source?: string } & Omit<FunctionFieldProps, 'render'>) {
  return <FunctionField source={source} {...rest} render={(r: any) => <PhoneLink phone={r?.[source]} />} />;
}
