import { SegmentedMessage } from 'sms-segments-calculator';

/** The kinds of message the outbox sends; 'reply' answers an SMS the service received. */
export const MESSAGE_KINDS = ['confirmation', 'reminder', 'cancellation', 'driver_request', 'reply'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const CHANNELS = ['sms', 'voice', 'letter'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What every template may say about a trip; names are first names only. */
export interface TripFacts {
  /** YYYY-MM-DD, local date of the trip. */
  date: string | null;
  /** Minutes after midnight, pickup time. */
  pickupMin: number;
  place: string;
  /** The other person of the match (the driver for the passenger, the passenger for the driver). */
  otherName: string;
  /** Only when the other person agreed to direct contact. */
  otherPhone: string | null;
  coordinatorPhone: string | null;
  /** The person the message is about, named when a relative or carer receives it instead. */
  forName: string | null;
  replyCode: string | null;
  role: 'passenger' | 'driver';
  /**
   * The way back of a round trip told in the same message (same day): its pickup time and place, and its driver when
   * it is not the outbound's (a passenger driven back by someone else). Confirmations and reminders only.
   */
  back?: BackLeg | null;
}

export interface BackLeg {
  pickupMin: number;
  place: string;
  /** The way back's driver, for the passenger, when another than the outbound's; null: the same person. */
  otherName: string | null;
  otherPhone: string | null;
}

/** A place name in an SMS stays short (two segments are 306 GSM-7 characters for everything): cut at a word. */
const PLACE_MAX = 60;

export const frenchDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
export const frenchTime = (min: number) =>
  `${String(Math.floor(min / 60) % 24).padStart(2, '0')}h${String(min % 60).padStart(2, '0')}`;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const DAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];

/** Dates and times as a voice reads them well: "lundi 14 septembre", "8 heures 15". */
export const spokenDate = (iso: string) => {
  const d = new Date(`${iso}T12:00:00Z`);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
};
export const spokenTime = (min: number) => {
  const h = Math.floor(min / 60) % 24;
  const m = min % 60;
  return m ? `${h} heures ${m}` : `${h} heures`;
};

/** Phone numbers read digit pair by digit pair ("05 65 …" rather than a five-hundred-million number). */
const spokenPhone = (national: string) => national.replace(/\D/g, '').replace(/(\d{2})(?=\d)/g, '$1, ');

const gsmCache = new Map<string, boolean>();
const isGsm = (ch: string) => {
  let v = gsmCache.get(ch);
  if (v === undefined) {
    v = new SegmentedMessage(ch).encodingName === 'GSM-7';
    gsmCache.set(ch, v);
  }
  return v;
};
const SUBSTITUTES: Record<string, string> = { '’': "'", '‘': "'", '«': '"', '»': '"', '–': '-', '—': '-', œ: 'oe', Œ: 'OE', '\u00a0': ' ', '\u202f': ' ', '…': '...' };

/**
 * Characters outside the GSM-7 alphabet turn the whole SMS into UCS-2 (70 characters a segment instead of 160):
 * French letters the alphabet lacks (ê, â, î, ô, û, ç…) lose their accent, typographic quotes become plain ones.
 */
export function toGsm(text: string): string {
  let out = '';
  for (const ch of text) {
    if (isGsm(ch)) out += ch;
    else if (SUBSTITUTES[ch] !== undefined) out += SUBSTITUTES[ch];
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every(isGsm) ? base : '?';
    }
  }
  return out;
}

export interface SmsSize {
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
}

export function smsSize(text: string): SmsSize {
  const m = new SegmentedMessage(text);
  return { segments: m.segmentsCount, encoding: m.encodingName as 'GSM-7' | 'UCS-2', characters: m.numberOfCharacters };
}

const shortPlace = (p: string, max = PLACE_MAX) => {
  if (p.length <= max) return p;
  const cut = p.slice(0, max - 3);
  const at = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf(','));
  return `${(at > max / 3 ? cut.slice(0, at) : cut).replace(/[\s,]+$/, '')}...`;
};
const coordination = (f: TripFacts) => (f.coordinatorPhone ? `Coordination : ${f.coordinatorPhone}` : 'Contactez la coordination');
const when = (f: TripFacts) => (f.date ? `le ${frenchDate(f.date)} à ${frenchTime(f.pickupMin)}` : `à ${frenchTime(f.pickupMin)}`);
const spokenWhen = (f: TripFacts) =>
  f.date ? `le ${spokenDate(f.date)}, à ${spokenTime(f.pickupMin)}` : `à ${spokenTime(f.pickupMin)}`;
const other = (f: TripFacts) => (f.otherPhone ? `${f.otherName} ${f.otherPhone}` : f.otherName);

/** Place lengths tried for a round trip's SMS, longest first, until it fits in two segments. */
const ROUND_TRIP_PLACE_MAX = [PLACE_MAX, 40, 25];
const SMS_SEGMENTS_MAX = 2;

/**
 * A round trip's confirmation or reminder in one SMS: both legs, the same day. Two places make it longer: they are
 * cut shorter until it fits in two segments (with a relay's name and two drivers' numbers it may still take three).
 */
function roundTripSms(kind: 'confirmation' | 'reminder', f: TripFacts, back: BackLeg, pre: string): string {
  let text = '';
  for (const max of ROUND_TRIP_PLACE_MAX) {
    const out = `${frenchTime(f.pickupMin)}, RDV ${shortPlace(f.place, max)}`;
    const ret = `${frenchTime(back.pickupMin)}, RDV ${shortPlace(back.place, max)}`;
    const date = f.date ? `le ${frenchDate(f.date)}` : '';
    const two = back.otherName !== null && f.role === 'passenger';
    const backWith = two ? ` avec ${other({ ...f, otherName: back.otherName!, otherPhone: back.otherPhone })}` : '';
    const outWith = two ? ` avec ${other(f)}` : '';
    if (kind === 'confirmation')
      text =
        f.role === 'passenger'
          ? `CoMobi : aller-retour confirmé ${date}. Aller ${out}${outWith}. Retour ${ret}${backWith}.${two ? '' : ` Conducteur : ${other(f)}.`} ${coordination(f)}`
          : `CoMobi : vous emmenez ${other(f)} ${date}, aller et retour. Aller ${out}. Retour ${ret}. ${coordination(f)}`;
    else
      text = `CoMobi, rappel : demain ${f.date ? frenchDate(f.date) : ''}, aller ${out}${outWith}, retour ${ret}${backWith}${two ? '' : `, avec ${other(f)}`}. Empêchement ? ${coordination(f)}`;
    text = toGsm(pre + text);
    if (smsSize(text).segments <= SMS_SEGMENTS_MAX) break;
  }
  return text;
}

/** SMS texts: short, GSM-7 (see toGsm), a confirmation in one or two segments. */
export function smsText(kind: Exclude<MessageKind, 'reply'>, f: TripFacts): string {
  const pre = f.forName ? `Pour ${f.forName} : ` : '';
  if (f.back && (kind === 'confirmation' || kind === 'reminder')) return roundTripSms(kind, f, f.back, pre);
  const place = shortPlace(f.place);
  let text: string;
  switch (kind) {
    case 'confirmation':
      text =
        f.role === 'passenger'
          ? `CoMobi : trajet confirmé ${when(f)}. RDV ${place}. Conducteur : ${other(f)}. ${coordination(f)}`
          : `CoMobi : vous emmenez ${other(f)} ${when(f)}. RDV ${place}. ${coordination(f)}`;
      break;
    case 'reminder':
      text = `CoMobi, rappel : demain ${f.date ? frenchDate(f.date) : ''} à ${frenchTime(f.pickupMin)}, RDV ${place} avec ${other(f)}. Empêchement ? ${coordination(f)}`;
      break;
    case 'cancellation':
      text = `CoMobi : le trajet ${when(f)} (RDV ${place}) est annulé. ${coordination(f)}`;
      break;
    case 'driver_request':
      text = `CoMobi : pouvez-vous emmener ${f.otherName} ${when(f)} depuis ${place} ? Répondez OUI ${f.replyCode} ou NON ${f.replyCode}. ${coordination(f)}`;
      break;
  }
  return toGsm(pre + text);
}

/** What a voice call reads aloud (text-to-speech, French), the key to press said at the end. */
export function voiceText(kind: Exclude<MessageKind, 'reply'>, f: TripFacts): string {
  const pre = f.forName ? `Bonjour, ceci est un message de CoMobi pour ${f.forName}. ` : 'Bonjour, ceci est un message de CoMobi. ';
  const coord = f.coordinatorPhone ? ` Pour toute question, appelez la coordination au ${spokenPhone(f.coordinatorPhone)}.` : '';
  const phone = f.otherPhone ? `, joignable au ${spokenPhone(f.otherPhone)}` : '';
  const heard = ' Tapez 1 pour confirmer que vous avez bien entendu.';
  const b = f.back;
  if (b && (kind === 'confirmation' || kind === 'reminder')) {
    const backDriver =
      b.otherName !== null && f.role === 'passenger'
        ? ` Au retour, votre conducteur s'appelle ${b.otherName}${b.otherPhone ? `, joignable au ${spokenPhone(b.otherPhone)}` : ''}.`
        : '';
    const legs = `À l'aller, à ${spokenTime(f.pickupMin)}, rendez-vous : ${f.place}. Au retour, à ${spokenTime(b.pickupMin)}, rendez-vous : ${b.place}.`;
    const who =
      f.role === 'passenger'
        ? ` ${b.otherName !== null ? "À l'aller, votre" : 'Votre'} conducteur s'appelle ${f.otherName}${phone}.${backDriver}`
        : f.otherPhone ? ` ${f.otherName} est joignable au ${spokenPhone(f.otherPhone)}.` : '';
    if (kind === 'confirmation')
      return f.role === 'passenger'
        ? `${pre}Votre aller-retour est confirmé ${f.date ? `le ${spokenDate(f.date)}` : ''}. ${legs}${who}${coord}${heard}`
        : `${pre}Vous emmenez ${f.otherName} ${f.date ? `le ${spokenDate(f.date)}` : ''}, aller et retour. ${legs}${who}${coord}${heard}`;
    return `${pre}Rappel : demain, aller et retour. ${legs}${f.role === 'passenger' ? who : ` Avec ${f.otherName}.`}${coord}${heard}`;
  }
  switch (kind) {
    case 'confirmation':
      return f.role === 'passenger'
        ? `${pre}Votre trajet est confirmé ${spokenWhen(f)}. Rendez-vous : ${f.place}. Votre conducteur s'appelle ${f.otherName}${phone}.${coord} Tapez 1 pour confirmer que vous avez bien entendu.`
        : `${pre}Vous emmenez ${f.otherName} ${spokenWhen(f)}. Rendez-vous : ${f.place}${phone}.${coord} Tapez 1 pour confirmer que vous avez bien entendu.`;
    case 'reminder':
      return `${pre}Rappel : demain, à ${spokenTime(f.pickupMin)}, rendez-vous ${f.place} avec ${f.otherName}.${coord} Tapez 1 pour confirmer que vous avez bien entendu.`;
    case 'cancellation':
      return `${pre}Le trajet prévu ${spokenWhen(f)} est annulé.${coord} Tapez 1 pour confirmer que vous avez bien entendu.`;
    case 'driver_request':
      return `${pre}Pouvez-vous emmener ${f.otherName} ${spokenWhen(f)}, depuis ${f.place} ? Tapez 1 pour accepter, tapez 2 pour refuser.${coord}`;
  }
}

/** A letter in plain words, one fact a line (rendered in large type by letter.ts). */
export function letterText(kind: Exclude<MessageKind, 'reply'>, f: TripFacts): string {
  // The number on a line of its own: read at a glance, never split across two lines.
  const coord = f.coordinatorPhone ? `Pour toute question, appelez la coordination :\n${f.coordinatorPhone}` : 'Pour toute question, appelez la coordination.';
  const date = f.date ? `Le ${spokenDate(f.date)} ${f.date.slice(0, 4)} (${frenchDate(f.date)})` : 'Date à confirmer';
  const b = f.back;
  if (b && (kind === 'confirmation' || kind === 'reminder')) {
    const two = b.otherName !== null && f.role === 'passenger';
    const lines = [
      kind === 'reminder'
        ? 'Rappel de votre aller-retour.'
        : f.role === 'passenger' ? 'Votre aller-retour est confirmé.' : `Vous emmenez ${f.otherName}, aller et retour.`,
      date,
      `Aller : à ${frenchTime(f.pickupMin)}, rendez-vous : ${f.place}`,
      ...(two ? [`Conducteur de l’aller : ${other(f)}`] : []),
      `Retour : à ${frenchTime(b.pickupMin)}, rendez-vous : ${b.place}`,
      ...(two
        ? [`Conducteur du retour : ${other({ ...f, otherName: b.otherName!, otherPhone: b.otherPhone })}`]
        : [f.role === 'passenger' ? `Votre conducteur : ${other(f)}` : `Passager : ${other(f)}`]),
    ];
    return [f.forName ? `Pour ${f.forName}` : null, ...lines, '', coord].filter((l) => l !== null).join('\n');
  }
  const lines = {
    confirmation: [
      f.role === 'passenger' ? 'Votre trajet est confirmé.' : `Vous emmenez ${f.otherName}.`,
      date,
      `À ${frenchTime(f.pickupMin)}`,
      `Rendez-vous : ${f.place}`,
      f.role === 'passenger' ? `Votre conducteur : ${other(f)}` : `Passager : ${other(f)}`,
    ],
    reminder: ['Rappel de votre trajet.', date, `À ${frenchTime(f.pickupMin)}`, `Rendez-vous : ${f.place}`, `Avec : ${other(f)}`],
    cancellation: ['Votre trajet est annulé.', date, `À ${frenchTime(f.pickupMin)}`, `Rendez-vous prévu : ${f.place}`],
    driver_request: [
      `Pouvez-vous emmener ${f.otherName} ?`,
      date,
      `À ${frenchTime(f.pickupMin)}`,
      `Départ : ${f.place}`,
      'Merci d’appeler la coordination pour répondre.',
    ],
  }[kind];
  return [f.forName ? `Pour ${f.forName}` : null, ...lines, '', coord].filter((l) => l !== null).join('\n');
}

/** Answers to an SMS the service received. */
export const replyText = {
  accepted: (coord: string | null) =>
    toGsm(`CoMobi : merci, c'est noté. La coordination vous confirme le trajet très vite.${coord ? ` ${coord}` : ''}`),
  declined: () => toGsm("CoMobi : merci, c'est noté. À bientôt !"),
  closed: (coord: string | null) =>
    toGsm(`CoMobi : merci, cette demande n'est plus ouverte. Pour toute question, appelez la coordination${coord ? ` au ${coord}` : ''}.`),
  unknown: (coord: string | null) =>
    toGsm(
      `CoMobi : nous n'avons pas reconnu votre réponse. Répondez OUI ou NON suivi du code reçu, ou appelez la coordination${coord ? ` au ${coord}` : ''}.`,
    ),
};
