import libphonenumber from 'google-libphonenumber';

const { PhoneNumberUtil, PhoneNumberType, PhoneNumberFormat } = libphonenumber;
const util = PhoneNumberUtil.getInstance();

/** Numbers typed without a country code are French ("06 12 34 56 78"). */
export const DEFAULT_REGION = 'FR';

export type PhoneKind = 'mobile' | 'landline' | 'other';

export interface ParsedPhone {
  e164: string;
  kind: PhoneKind;
}

/**
 * Blocks the ARCEP keeps for fiction (films, books, demos): never assigned to anyone, so libphonenumber calls them
 * invalid. The demo's people have such numbers; they are accepted so that the dry run shows the demo's messages.
 */
const FICTION = /^\+33(19900|26191|35301|46571|53649|63998)\d{4}$/;

/** A number libphonenumber knows as valid, in E.164, with what it can receive; null when it is not a number. */
export function parsePhone(raw: string): ParsedPhone | null {
  let n;
  try {
    n = util.parse(raw, DEFAULT_REGION);
  } catch {
    return null;
  }
  const e164 = util.format(n, PhoneNumberFormat.E164);
  if (FICTION.test(e164)) return { e164, kind: e164.startsWith('+336') ? 'mobile' : 'landline' };
  if (!util.isValidNumber(n)) return null;
  const t = util.getNumberType(n);
  const kind: PhoneKind =
    t === PhoneNumberType.MOBILE || t === PhoneNumberType.FIXED_LINE_OR_MOBILE
      ? 'mobile'
      : t === PhoneNumberType.FIXED_LINE || t === PhoneNumberType.VOIP
        ? 'landline'
        : 'other';
  return { e164, kind };
}

/** Why a number cannot be used for a channel, in French for the coordinator; null when it can. */
export function phoneProblem(raw: string, channel: 'sms' | 'voice'): string | null {
  const p = parsePhone(raw);
  if (!p) return 'numéro de téléphone invalide : vérifiez les chiffres (exemple : 06 12 34 56 78)';
  if (channel === 'sms' && p.kind !== 'mobile')
    return 'ce numéro ne peut pas recevoir de SMS (ce n’est pas un mobile) : choisissez l’appel vocal ou le courrier';
  if (channel === 'voice' && p.kind === 'other') return 'ce numéro ne peut pas recevoir d’appel de la coordination';
  return null;
}

/**
 * What lists show of a number: the first two and last two digits of the national form ("06 •• •• •• 78"), enough
 * to tell a mobile from a landline and two people apart, not enough to call.
 */
export function maskPhone(e164OrRaw: string): string {
  const p = parsePhone(e164OrRaw);
  const digits = p
    ? util.format(util.parse(p.e164, DEFAULT_REGION), PhoneNumberFormat.NATIONAL).replace(/\D/g, '')
    : e164OrRaw.replace(/\D/g, '');
  if (digits.length < 6) return '••';
  const middle = digits.length - 4;
  return [digits.slice(0, 2), ...Array.from({ length: Math.ceil(middle / 2) }, () => '••'), digits.slice(-2)].join(' ');
}
