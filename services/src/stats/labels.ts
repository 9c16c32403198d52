/** French labels of the coded values shown on the public statistics. */
export const PURPOSE_LABELS: Record<string, string> = {
  health: 'Santé', work: 'Travail', training: 'Formation', shopping: 'Courses', admin: 'Démarches administratives',
  leisure: 'Loisirs', other: 'Autre',
};

export const REASON_LABELS: Record<string, string> = {
  no_driver: 'Aucun conducteur', no_driver_at_time: 'Aucun conducteur à cet horaire', no_seat: 'Plus de place',
  driver_declined: 'Conducteur indisponible', passenger_cancelled: 'Annulé par le passager',
  transit_used: 'Transport en commun utilisé', tad_used: 'Transport à la demande utilisé',
  medical_transport_used: 'Transport sanitaire utilisé', out_of_territory: 'Hors territoire', other: 'Autre raison',
};

/**
 * Emission avoided per passenger-kilometre: a car trip not made. ADEME, Base Empreinte® (ex-Base Carbone®), « Voiture
 * particulière – motorisation moyenne (thermique) », 0,218 kg CO2e/km for one occupant, construction included (as
 * shown by impactco2.fr, ADEME, 2023).
 */
export const CO2_KG_PER_KM = 0.218;
export const CO2_SOURCE = 'ADEME, Base Empreinte® (ex-Base Carbone®) : voiture particulière, motorisation thermique moyenne, 0,218 kg CO2e par km et par personne (impactco2.fr, 2023)';
/** Road distance ≈ straight-line distance × 1.3 on rural roads. */
export const ROAD_FACTOR = 1.3;
