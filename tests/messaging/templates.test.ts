import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswer, reminderTime } from '../../services/src/domain/messages.ts';
import { backoffS } from '../../services/src/messaging/outbox.ts';
import { maskPhone, parsePhone, phoneProblem } from '../../services/src/messaging/phone.ts';
import { callTwiml, twilioSignatureValid } from '../../services/src/messaging/providers/twilio.ts';
import { smsSize, smsText, toGsm, voiceText, type TripFacts } from '../../services/src/messaging/templates.ts';

const facts: TripFacts = {
  date: '2026-09-14',
  pickupMin: 8 * 60 + 5,
  place: 'Parking de la salle des fêtes, Saint-Céré',
  otherName: 'Jean-Christophe',
  otherPhone: '06 12 34 56 78',
  coordinatorPhone: '05 65 53 00 00',
  forName: null,
  replyCode: '4821',
  role: 'passenger',
};

describe('SMS templates', () => {
  it('a confirmation carries the date dd/mm/yyyy, the 24 h time, the place, the first name, the numbers, in GSM-7 and two segments at most', () => {
    const text = smsText('confirmation', facts);
    expect(text).toBe(
      'CoMobi : trajet confirmé le 14/09/2026 à 08h05. RDV Parking de la salle des fetes, Saint-Céré. Conducteur : Jean-Christophe 06 12 34 56 78. Coordination : 05 65 53 00 00',
    );
    expect(smsSize(text)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('every kind stays within two GSM-7 segments, even for a relay and a long place name', () => {
    const long = { ...facts, place: 'Maison de santé pluriprofessionnelle du Haut-Quercy, avenue du Général-de-Gaulle', forName: 'Marie-Françoise' };
    for (const kind of ['confirmation', 'reminder', 'cancellation', 'driver_request'] as const) {
      for (const role of ['passenger', 'driver'] as const) {
        const size = smsSize(smsText(kind, { ...long, role }));
        expect(size.encoding, kind).toBe('GSM-7');
        expect(size.segments, kind).toBeLessThanOrEqual(2);
      }
    }
    expect(smsText('driver_request', facts)).toContain('Répondez OUI 4821 ou NON 4821');
  });

  it('a round trip in one SMS: both legs, places cut shorter until it fits in two segments', () => {
    const back = { pickupMin: 17 * 60 + 35, place: 'Centre hospitalier, 335 rue du Président Wilson, Cahors', otherName: null, otherPhone: null };
    const rt = { ...facts, back };
    expect(smsText('confirmation', rt)).toBe(
      'CoMobi : aller-retour confirmé le 14/09/2026. Aller 08h05, RDV Parking de la salle des fetes, Saint-Céré. Retour 17h35, RDV Centre hospitalier, 335 rue du Président Wilson, Cahors. Conducteur : Jean-Christophe 06 12 34 56 78. Coordination : 05 65 53 00 00',
    );
    // The longest case: a relay, two long places, a driver each way with their numbers.
    const long = {
      ...rt,
      forName: 'Marie-Françoise',
      place: 'Maison de santé pluriprofessionnelle du Haut-Quercy, avenue du Général-de-Gaulle',
      back: { ...back, otherName: 'Eric', otherPhone: '06 98 76 54 32' },
    };
    for (const kind of ['confirmation', 'reminder'] as const)
      for (const role of ['passenger', 'driver'] as const) {
        const text = smsText(kind, { ...long, role });
        expect(smsSize(text), `${kind} ${role}: ${text}`).toMatchObject({ encoding: 'GSM-7' });
        expect(smsSize(text).segments, `${kind} ${role}: ${text}`).toBeLessThanOrEqual(2);
        expect(text).toContain('08h05');
        expect(text).toContain('17h35');
      }
    expect(smsText('confirmation', long)).toMatch(/avec Jean-Christophe 06 12 34 56 78\. Retour 17h35, RDV .+ avec Eric 06 98 76 54 32\./);
    expect(voiceText('confirmation', rt)).toContain("À l'aller, à 8 heures 5, rendez-vous : Parking de la salle des fêtes, Saint-Céré. Au retour, à 17 heures 35");
  });

  it('toGsm keeps the French letters GSM-7 has and drops the accents it lacks', () => {
    expect(toGsm('Fête à Gramat, l’église, ça ira ; « oui »')).toBe('Fete à Gramat, l\'église, ca ira ; " oui "');
    expect(smsSize('ê').encoding).toBe('UCS-2');
  });

  it('a voice message reads dates, times and numbers as one says them, and says which key to press', () => {
    const v = voiceText('driver_request', { ...facts, role: 'driver', otherName: 'Marie' });
    expect(v).toContain('le lundi 14 septembre, à 8 heures 5');
    expect(v).toContain('Tapez 1 pour accepter, tapez 2 pour refuser.');
    expect(v).toContain('au 05, 65, 53, 00, 00');
    const xml = callTwiml({ id: 7, body: v }, 'https://x.example/webhooks/twilio/voice/gather?message=7');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather numDigits="1" action="https:\/\/x.example\/webhooks\/twilio\/voice\/gather\?message=7" method="POST" timeout="8"><Say language="fr-FR">Bonjour/);
  });
});

describe('answers, phones, reminders, backoff, signatures', () => {
  it('parses a driver’s answer with or without the code', () => {
    expect(parseAnswer('OUI 4821')).toEqual({ yes: true, code: '4821' });
    expect(parseAnswer(' non4821 ')).toEqual({ yes: false, code: '4821' });
    expect(parseAnswer('Oui.')).toEqual({ yes: true, code: null });
    expect(parseAnswer('Oui mais je serai en retard')).toBeNull();
    expect(parseAnswer('4821')).toBeNull();
  });

  it('phones: E.164, mobile or landline, masked in lists', () => {
    expect(parsePhone('06 12 34 56 78')).toEqual({ e164: '+33612345678', kind: 'mobile' });
    expect(parsePhone('05.65.53.00.00')).toEqual({ e164: '+33565530000', kind: 'landline' });
    expect(parsePhone('12')).toBeNull();
    expect(parsePhone('07 11 22 33 44')).toBeNull();
    // The ARCEP's numbers for fiction (the demo's people have them) are accepted.
    expect(parsePhone('06 39 98 48 32')).toEqual({ e164: '+33639984832', kind: 'mobile' });
    expect(parsePhone('05 36 49 00 00')).toEqual({ e164: '+33536490000', kind: 'landline' });
    expect(phoneProblem('05 65 53 00 00', 'sms')).toMatch(/ne peut pas recevoir de SMS/);
    expect(phoneProblem('05 65 53 00 00', 'voice')).toBeNull();
    expect(phoneProblem('08 00 00 00 00', 'voice')).toMatch(/ne peut pas recevoir d’appel/);
    expect(maskPhone('+33612345678')).toBe('06 •• •• •• 78');
  });

  it('every person of the demo can be reached (their numbers are in the ARCEP fiction blocks), so the dry run shows the demo’s messages', () => {
    const demo = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/demo-lot.json'), 'utf8'));
    const kinds = new Set(demo.people.map((p: { phone: string }) => parsePhone(p.phone)?.kind ?? 'unreachable'));
    expect([...kinds]).toEqual(['mobile']);
    expect(parsePhone(demo.territory.coordinatorPhone)?.kind).toBe('landline');
  });

  it('the reminder is the day before at 18:00 Paris time, summer and winter; none once that moment has passed', () => {
    expect(reminderTime('2026-09-14', new Date('2026-09-01T00:00:00Z'))!.toISOString()).toBe('2026-09-13T16:00:00.000Z');
    expect(reminderTime('2026-12-14', new Date('2026-12-01T00:00:00Z'))!.toISOString()).toBe('2026-12-13T17:00:00.000Z');
    expect(reminderTime('2026-12-14', new Date('2026-12-13T17:00:00Z'))).toBeNull();
    expect(reminderTime(null)).toBeNull();
  });

  it('backs off exponentially, capped at six hours', () => {
    expect(backoffS(1, 30, 0.5)).toBe(30);
    expect(backoffS(3, 30, 0.5)).toBe(120);
    expect(backoffS(30, 30, 0.5)).toBe(6 * 3600);
    expect(backoffS(1, 30, 0)).toBe(24);
  });

  it('checks X-Twilio-Signature with Twilio’s documented example', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignatureValid('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
    expect(twilioSignatureValid('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, { ...params, Digits: '1' })).toBe(false);
    expect(twilioSignatureValid('12345', undefined, url, params)).toBe(false);
  });
});
