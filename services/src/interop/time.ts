/**
 * The standard speaks UNIX UTC seconds; trips and requests are stored in the territory's local calendar (dates and
 * minutes after midnight). These convert between the two for one IANA time zone.
 */
export interface LocalTime {
  date: string;
  min: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (tz: string) => {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
};

export function toLocal(unixS: number, tz: string): LocalTime {
  const parts = Object.fromEntries(formatter(tz).formatToParts(new Date(unixS * 1000)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, min: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Offset of the zone at an instant, in minutes (Paris: +60 in winter, +120 in summer). */
function offsetMin(utcMs: number, tz: string): number {
  const l = toLocal(Math.floor(utcMs / 1000), tz);
  const asUtc = Date.parse(`${l.date}T00:00:00Z`) + l.min * 60_000;
  return Math.round((asUtc - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
}

/** Local date and minute (may exceed 1439 for the next day) to UNIX seconds. */
export function toUnix(date: string, min: number, tz: string): number {
  const naive = Date.parse(`${date}T00:00:00Z`) + Math.round(min) * 60_000;
  let utc = naive - offsetMin(naive, tz) * 60_000;
  // Once more near a change of offset: the offset at the guessed instant is the one that applies.
  utc = naive - offsetMin(utc, tz) * 60_000;
  return Math.floor(utc / 1000);
}

export const WEEKDAY_CODES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];
export const weekdayCode = (iso: number): WeekdayCode => WEEKDAY_CODES[iso - 1];
export const isoWeekdayOf = (code: WeekdayCode) => WEEKDAY_CODES.indexOf(code) + 1;

/** RFC 3339 partial-time (HH:MM:SS) of minutes after midnight. */
export const partialTime = (min: number) => {
  const m = ((Math.round(min) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`;
};
