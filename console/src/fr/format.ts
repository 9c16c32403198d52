/** French conventions for what the console shows: decimal commas, accent-aware order, phone links. */

/** Accent- and case-aware order of French names: "Béduer" before "Bretenoux", "Étang" among the E. */
export const frCollator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
export const byName = <T extends { name: string }>(a: T, b: T) => frCollator.compare(a.name, b.name);

const oneDecimal = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** A distance in metres as French kilometres: "24,1 km". */
export const km = (metres: number) => `${oneDecimal.format(metres / 1000)}\u00a0km`;

/** A number with French separators and at most `digits` decimals: "0,85". */
export const decimal = (n: number, digits = 2) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(n);

/** A phone number as a `tel:` address: digits and a leading + only. */
export const telHref = (phone: string) => `tel:${phone.replace(/[^+0-9]/g, '')}`;
