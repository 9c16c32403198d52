// Same JS types from both back ends: dates stay 'YYYY-MM-DD' strings (a Date would shift with the server's time
// zone), int8 and numeric become numbers (counts and sums fit in a double here).
export const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

export const parseInt8 = (v: string) => Number(v);
export const parseNumeric = (v: string) => Number(v);
export const parseDate = (v: string) => v;
