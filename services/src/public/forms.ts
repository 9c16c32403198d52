import { toMinutes } from '../time/clock.ts';
import type { Commune } from './territories.ts';

export type Form = Record<string, string | string[]>;
export type Errors = Record<string, string>;

export const one = (f: Form, k: string) => {
  const v = f[k];
  return (Array.isArray(v) ? v[0] : v ?? '').trim();
};
export const many = (f: Form, k: string) => {
  const v = f[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

const PHONE = /^\+?[0-9 .-]{10,20}$/;
const EMAIL = /^[^\s@]{1,100}@[^\s@]{1,100}\.[^\s@]{2,}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const WEEKDAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];

export interface Identity {
  firstName: string;
  lastName: string | null;
  phone: string;
  email: string | null;
}

export interface Place {
  insee: string;
  name: string;
  lng: number;
  lat: number;
  detail: string | null;
}

function text(f: Form, k: string, e: Errors, o: { label: string; required?: boolean; max: number }): string | null {
  const v = one(f, k);
  if (!v) {
    if (o.required) e[k] = `Indiquez ${o.label}.`;
    return null;
  }
  if (v.length > o.max) e[k] = `${o.label[0].toUpperCase()}${o.label.slice(1)} : ${o.max} caractères au plus.`;
  return v;
}

export function identity(f: Form, e: Errors): Identity {
  const firstName = text(f, 'prenom', e, { label: 'votre prénom', required: true, max: 100 }) ?? '';
  const lastName = text(f, 'nom', e, { label: 'votre nom', max: 100 });
  const phone = text(f, 'telephone', e, { label: 'votre numéro de téléphone', required: true, max: 20 }) ?? '';
  if (phone && !e.telephone && !PHONE.test(phone)) e.telephone = 'Le numéro de téléphone doit comporter 10 chiffres, par exemple 06 12 34 56 78.';
  const email = text(f, 'courriel', e, { label: 'votre adresse électronique', max: 200 });
  if (email && !e.courriel && !EMAIL.test(email)) e.courriel = 'L’adresse électronique doit être au format nom@domaine.fr.';
  return { firstName, lastName, phone, email };
}

export function place(f: Form, e: Errors, prefix: 'depart' | 'arrivee', communes: Commune[]): Place | null {
  const insee = one(f, `${prefix}`);
  const label = prefix === 'depart' ? 'la commune de départ' : 'la commune d’arrivée';
  const detail = text(f, `${prefix}_precision`, e, { label: 'la précision du lieu', max: 200 });
  if (!insee) {
    e[prefix] = `Choisissez ${label}.`;
    return null;
  }
  const c = communes.find((x) => x.insee === insee);
  if (!c) {
    e[prefix] = `Choisissez ${label} dans la liste.`;
    return null;
  }
  return { ...c, detail };
}

export function clock(f: Form, e: Errors, k: string, label: string, required: boolean): number | null {
  const v = one(f, k);
  if (!v) {
    if (required) e[k] = `Indiquez ${label}.`;
    return null;
  }
  if (!TIME.test(v)) {
    e[k] = `${label[0].toUpperCase()}${label.slice(1)} doit être au format HH:MM, par exemple 08:30.`;
    return null;
  }
  return toMinutes(v);
}

export function day(f: Form, e: Errors, k: string, label: string): string | null {
  const v = one(f, k);
  if (!v) {
    e[k] = `Indiquez ${label}.`;
    return null;
  }
  const d = new Date(`${v}T00:00:00Z`);
  if (!DATE.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
    e[k] = `${label[0].toUpperCase()}${label.slice(1)} doit être une date au format JJ/MM/AAAA.`;
    return null;
  }
  const today = new Date().toISOString().slice(0, 10);
  const max = new Date(Date.now() + 366 * 86_400_000).toISOString().slice(0, 10);
  if (v < today || v > max) {
    e[k] = `${label[0].toUpperCase()}${label.slice(1)} doit être comprise entre aujourd’hui et dans un an.`;
    return null;
  }
  return v;
}

export function weekdays(f: Form, e: Errors, k: string): number[] {
  const vals = many(f, k);
  const days = [...new Set(vals.map(Number))];
  if (!days.length) e[k] = 'Choisissez au moins un jour.';
  else if (!days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) e[k] = 'Choisissez des jours dans la liste.';
  return days.sort();
}

export function int(f: Form, e: Errors, k: string, label: string, min: number, max: number, fallback: number): number {
  const v = one(f, k);
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    e[k] = `${label[0].toUpperCase()}${label.slice(1)} doit être un nombre entre ${min} et ${max}.`;
    return fallback;
  }
  return n;
}

export function oneOf<T extends string>(f: Form, e: Errors, k: string, allowed: readonly T[], message: string): T | null {
  const v = one(f, k);
  if (!allowed.includes(v as T)) {
    e[k] = message;
    return null;
  }
  return v as T;
}

export const checked = (f: Form, k: string) => one(f, k) === 'oui';

/** Every citizen form ends with the consent box: its error when it is not ticked. */
export function consent(f: Form, e: Errors): void {
  if (!checked(f, 'consentement')) e.consentement = 'Cochez la case pour accepter le traitement de vos données.';
}
