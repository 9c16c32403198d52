import crypto from 'node:crypto';

/** French numbers written the usual ways ("06 01 02 03 04", "0033 6…", "+33 6…") to ITU E.164; undefined if not a number. */
export function toE164(phone: string): string | undefined {
  const s = phone.replace(/[\s.\-()]/g, '');
  let e: string;
  if (/^\+\d{8,15}$/.test(s)) e = s;
  else if (/^00\d{8,15}$/.test(s)) e = `+${s.slice(2)}`;
  else if (/^0\d{9}$/.test(s)) e = `+33${s.slice(1)}`;
  else return undefined;
  return e;
}

/** The registry's last name form: upper case, no accents, hyphens and apostrophes as spaces, only [A-Z ]. */
export function registryLastName(lastName: string): string {
  return lastName
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase()
    .replace(/[-'’]/g, ' ')
    .replace(/[^A-Z ]/g, '');
}

export interface RpcIdentity {
  identity_key: string;
  phone_trunc: string;
  operator_user_id: string;
  over_18?: boolean | null;
}

/**
 * Identity as the registry v3.3 defines it: sha256("{E.164 phone}-{LAST NAME}"), the phone without its last two
 * digits, and the operator's stable user id. The full phone is never sent.
 */
export function rpcIdentity(p: { personId: number; phone: string | null; lastName: string | null; over18?: boolean | null }): RpcIdentity | { error: string } {
  const e164 = p.phone ? toE164(p.phone) : undefined;
  if (!e164) return { error: `person ${p.personId}: no phone number usable as E.164` };
  if (!p.lastName || !registryLastName(p.lastName).trim()) return { error: `person ${p.personId}: no last name` };
  return {
    identity_key: crypto.createHash('sha256').update(`${e164}-${registryLastName(p.lastName)}`).digest('hex'),
    phone_trunc: e164.slice(0, -2),
    operator_user_id: `person-${p.personId}`,
    ...(p.over18 !== undefined ? { over_18: p.over18 } : {}),
  };
}
