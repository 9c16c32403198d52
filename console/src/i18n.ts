import polyglotI18nProvider from 'ra-i18n-polyglot';
import french from 'ra-language-french';

/** Every text of the console, in French: react-admin's own messages, then resources, fields and CoMobi's codes. */
const messages = {
  ...french,
  resources: {
    territories: {
      name: 'Territoire |||| Territoires',
      forcedCaseName: 'territoire',
      fields: { slug: 'Identifiant', name: 'Nom', coordinatorPhone: 'Téléphone de la coordination', createdAt: 'Créé le' },
    },
    users: {
      name: 'Compte |||| Comptes',
      forcedCaseName: 'compte',
      fields: {
        email: 'Courriel', displayName: 'Nom affiché', role: 'Rôle', territoryIds: 'Territoires', active: 'Actif',
        password: 'Mot de passe', lastLoginAt: 'Dernière connexion', createdAt: 'Créé le', q: 'Recherche',
      },
    },
    drivers: { name: 'Conducteur |||| Conducteurs', forcedCaseName: 'conducteur' },
    passengers: { name: 'Passager |||| Passagers', forcedCaseName: 'passager' },
    people: {
      name: 'Personne |||| Personnes',
      fields: {
        firstName: 'Prénom', lastName: 'Nom', phone: 'Téléphone', email: 'Courriel', address: 'Adresse', birthdate: 'Date de naissance',
        communeName: 'Commune', communeInsee: 'Commune (code INSEE)', territoryId: 'Territoire', isDriver: 'Conducteur',
        isPassenger: 'Passager', directContactConsent: 'Accepte d’être contacté directement', needs: 'Besoins',
        q: 'Nom ou téléphone', createdAt: 'Créé le',
      },
    },
    trips: {
      name: 'Trajet |||| Trajets',
      forcedCaseName: 'trajet',
      fields: {
        driverId: 'Conducteur', kind: 'Type', weekdays: 'Jours', date: 'Date', departureTime: 'Départ', returnTime: 'Retour',
        originLabel: 'Origine', destinationLabel: 'Destination', seats: 'Places', active: 'Actif', territoryId: 'Territoire',
        distanceM: 'Itinéraire', validFrom: 'Valide du', validTo: 'Valide jusqu’au', communeInsee: 'Commune traversée (2 km)',
      },
    },
    requests: {
      name: 'Demande |||| Demandes',
      forcedCaseName: 'demande',
      fields: {
        id: 'N°', passengerId: 'Passager', fromLabel: 'Départ', toLabel: 'Arrivée', date: 'Date', weekdays: 'Jours', time: 'Heure',
        timeKind: 'Heure de', toleranceMin: 'Tolérance (min)', seats: 'Places', purpose: 'Motif', needs: 'Besoins',
        status: 'Statut', unservedReason: 'Raison (non servie)', note: 'Note', territoryId: 'Territoire', createdAt: 'Créée le',
        dateFrom: 'Du', dateTo: 'Au', communeInsee: 'Commune (départ ou arrivée)',
      },
    },
    matches: {
      name: 'Mise en relation |||| Mises en relation',
      forcedCaseName: 'mise en relation',
      fields: {
        id: 'N°', requestId: 'Demande', tripId: 'Trajet', driverId: 'Conducteur', date: 'Date', detourS: 'Détour', detourM: 'Détour (km)',
        score: 'Score', status: 'Statut', statusReason: 'Raison', note: 'Note', directContact: 'Contact direct',
        statusChangedAt: 'Modifiée le', territoryId: 'Territoire', dateFrom: 'Du', dateTo: 'Au',
        passengerName: 'Passager', driverName: 'Conducteur',
      },
    },
    providers: {
      name: 'Transporteur |||| Transporteurs',
      forcedCaseName: 'transporteur',
      fields: { name: 'Nom', kind: 'Type', phone: 'Téléphone', notes: 'Notes', active: 'Actif', territoryId: 'Territoire', q: 'Recherche' },
    },
    feeds: {
      name: 'Flux importé |||| Flux importés',
      forcedCaseName: 'flux importé',
      fields: {
        name: 'Nom', territoryId: 'Territoire', sourceUrl: 'Source', tdgDatasetId: 'Jeu de données transport.data.gouv.fr', versions: 'Versions',
        'current.status': 'État', 'current.version': 'Version active', 'current.importedAt': 'Importé le', 'current.serviceStart': 'Service à partir du',
        'current.serviceEnd': 'Service jusqu’au',
      },
    },
    tokens: {
      name: 'Jeton d’API |||| Jetons d’API',
      forcedCaseName: 'jeton d’API',
      fields: {
        label: 'Libellé', role: 'Rôle', territoryId: 'Territoire', createdAt: 'Créé le', lastUsedAt: 'Dernier usage',
        revokedAt: 'État', createdBy: 'Créé par', q: 'Recherche', revoked: 'État',
      },
    },
    places: {
      name: 'Lieu |||| Lieux',
      empty: 'Aucun lieu enregistré',
      invite: 'Un lieu (hôpital, gare, mairie…) se choisit ensuite par son nom en prenant un appel. Voulez-vous en créer un ?',
    },
    volunteers: { name: 'Bénévole |||| Bénévoles', forcedCaseName: 'bénévole' },
    messages: {
      name: 'Message |||| Messages',
      // An empty list's title (react-admin's "Pas encore de Message." otherwise).
      empty: 'Aucun message envoyé pour l’instant',
      fields: {
        createdAt: 'Créé le', kind: 'Message', channel: 'Canal', status: 'Statut', to: 'À', toRelay: 'Reçu par un proche',
        requestId: 'Demande', matchId: 'Mise en relation', personId: 'Personne', sentAt: 'Envoyé le', plannedAt: 'Prévu le',
        deliveredAt: 'Reçu le', answer: 'Réponse', attempts: 'Tentatives', lastError: 'Dernière erreur', late: 'En retard',
      },
    },
    audit: {
      name: 'Journal d’audit |||| Journal d’audit',
      fields: {
        at: 'Quand', actor: 'Qui', actorRole: 'Rôle', territoryId: 'Territoire', action: 'Action', subjectType: 'Objet',
        subjectId: 'N°', fields: 'Champs', reason: 'Motif', dateFrom: 'Du', dateTo: 'Au',
      },
    },
  },
  comobi: {
    title: 'CoMobi · coordination',
    menu: { intake: 'Appel entrant', plans: 'Plan de la semaine' },
    errors: {
      forbidden: 'Action non autorisée pour ce rôle ou ce territoire',
      not_found: 'Introuvable, ou hors de vos territoires',
      too_many: 'Trop de tentatives de connexion : réessayez dans quelques minutes',
      bad_login: 'Courriel ou mot de passe incorrect',
    },
    roles: { admin: 'Administrateur', coordinator: 'Coordinateur', viewer: 'Observateur (statistiques)', integration: 'Intégration' },
    purposes: { health: 'Santé', work: 'Travail', training: 'Formation', shopping: 'Courses', admin: 'Démarches', leisure: 'Loisirs', other: 'Autre' },
    needs: {
      wheelchair: 'Fauteuil roulant', reduced_mobility: 'Mobilité réduite', visual: 'Déficience visuelle', hearing: 'Déficience auditive',
      assistance_dog: 'Chien d’assistance', child_seat: 'Siège enfant', luggage: 'Bagages',
    },
    requestStatus: { open: 'Ouverte', matched: 'Conducteur trouvé', served: 'Servie', unserved: 'Non servie', cancelled: 'Annulée' },
    unservedReasons: {
      no_driver: 'Aucun conducteur', no_driver_at_time: 'Aucun conducteur à cette heure', no_seat: 'Plus de place',
      driver_declined: 'Conducteur indisponible', passenger_cancelled: 'Annulée par le passager', transit_used: 'Orientée vers le transport en commun',
      tad_used: 'Orientée vers le transport à la demande', medical_transport_used: 'Orientée vers le transport assis professionnalisé',
      out_of_territory: 'Hors territoire', other: 'Autre',
    },
    matchStatus: {
      proposed: 'Proposée', contacted: 'Conducteur contacté', accepted: 'Acceptée', declined: 'Refusée', confirmed: 'Confirmée',
      done: 'Effectuée', cancelled: 'Annulée',
    },
    matchActions: {
      contacted: 'Contacté', accepted: 'Accepté', declined: 'Refusé', confirmed: 'Confirmer', done: 'Effectué', cancelled: 'Annuler',
    },
    declinedReasons: {
      driver_unavailable: 'Conducteur indisponible', detour_too_long: 'Détour trop long', schedule_conflict: 'Horaire incompatible',
      needs_not_met: 'Besoins non couverts', passenger_declined: 'Refus du passager', no_answer: 'Pas de réponse', other: 'Autre',
    },
    cancelledReasons: {
      passenger_cancelled: 'Annulé par le passager', driver_cancelled: 'Annulé par le conducteur', no_show: 'Absent au rendez-vous',
      weather: 'Météo', vehicle_problem: 'Problème de véhicule', other: 'Autre',
    },
    timeKind: { depart: 'départ', arrive: 'arrivée' },
    tripKind: { regular: 'Régulier', oneoff: 'Ponctuel' },
    providerKind: { tad: 'Transport à la demande', seated_patient: 'Transport assis professionnalisé', taxi: 'Taxi' },
    weekdays: { 1: 'lun.', 2: 'mar.', 3: 'mer.', 4: 'jeu.', 5: 'ven.', 6: 'sam.', 7: 'dim.' },
    messageKinds: {
      confirmation: 'Confirmation', reminder: 'Rappel la veille', cancellation: 'Annulation', driver_request: 'Demande au conducteur',
      reply: 'Réponse à un SMS',
    },
    messageChannels: { sms: 'SMS', voice: 'Appel vocal', letter: 'Courrier', none: 'Aucun' },
    messageStatus: {
      queued: 'En attente', sent: 'Envoyé', delivered: 'Reçu', failed: 'Échec', answered: 'Répondu', dry_run: 'Simulation (non envoyé)',
      cancelled: 'Retiré',
    },
    auditActions: {
      read_personal: 'Lecture de données personnelles', login: 'Connexion', logout: 'Déconnexion', user_create: 'Création de compte',
      user_update: 'Modification de compte', user_delete: 'Suppression de compte', audit_export: 'Export du journal',
      message_sent: 'Message envoyé', message_failed: 'Message en échec',
      token_create: 'Création de jeton d’API', token_revoke: 'Révocation de jeton d’API',
    },
    tokens: {
      revoke: 'Révoquer',
      revokeTitle: 'Révoquer le jeton « %{label} » ?',
      revokeContent: 'Les applications qui l’utilisent seront refusées dès leur prochain appel. La révocation est définitive : pour rétablir l’accès, il faudra créer un nouveau jeton.',
      revoked: 'Jeton « %{label} » révoqué',
      active: 'Actifs',
      revokedState: 'Révoqués',
      labelHelp: 'Par exemple le nom de l’opérateur ou du script qui l’utilisera',
      roleHelp: 'Intégration : clé d’un opérateur pour l’API d’interopérabilité',
      territoryHelp: 'Obligatoire, sauf pour un jeton administrateur',
      territoryRequired: 'Choisissez le territoire : seul un jeton administrateur vaut pour tous les territoires',
      allTerritories: 'Tous les territoires (administrateur seulement)',
      issuedTitle: 'Nouveau jeton d’API',
      issuedHeading: 'Jeton « %{label} » créé',
      copyNow: 'Copiez ce jeton maintenant : il ne sera plus affiché.',
      plain: 'Jeton',
      copy: 'Copier',
      copied: 'Copié',
      usage: 'À envoyer dans l’en-tête Authorization de chaque appel à l’API, par exemple :',
      done: 'J’ai copié le jeton, revenir à la liste',
    },
    // The GTFS importer's warnings by code (gtfs-import/src/warnings.ts); %{value} is the value it names.
    gtfsWarnings: {
      W_FOLDER: 'Fichiers lus dans le dossier « %{column} » de l’archive (le GTFS les veut à sa racine ; refusé en mode strict)',
      W_IGNORED_FILE: 'Fichier inconnu de GTFS et de GTFS-Flex, ignoré',
      W_UNKNOWN_COLUMN: 'Colonne inconnue, ignorée',
      W_NO_ROWS: 'Aucune ligne',
      W_EMPTY_FILE: 'Fichier vide (sans en-tête), ignoré',
      W_SKIPPED_FILE: 'Colonne obligatoire absente : fichier ignoré (refusé en mode strict)',
      W_STRAY_QUOTE: 'Guillemet dans une valeur sans guillemets, gardé tel quel (refusé en mode strict)',
      W_NEWLINE_IN_VALUE: 'Retour à la ligne dans une valeur entre guillemets, gardé tel quel',
      W_SHORT_ROW: 'Ligne incomplète : les valeurs manquantes sont lues vides (refusé en mode strict)',
      W_INVALID_COLOR: 'Couleur invalide « %{value} », ignorée (refusé en mode strict)',
      W_ROUTE_WITHOUT_AGENCY: 'Ligne sans agency_id alors que le flux a plusieurs réseaux (refusé en mode strict)',
      W_NON_POLYGON_LOCATION: 'Zone « %{value} » sans polygone, ignorée (refusé en mode strict)',
      W_ONLY_ARRIVAL_OR_DEPARTURE: 'Une seule des deux heures (arrivée, départ) : l’autre est lue identique (refusé en mode strict)',
      W_EXPIRED: 'Flux expiré : valable jusqu’au %{value}, avant le jour de l’import ; activé quand même (refusé en mode strict)',
    },
    gtfsLenient: {
      short_rows: 'lignes incomplètes', stray_quote: 'guillemets isolés', invalid_colors: 'couleurs invalides',
      route_without_agency: 'lignes sans réseau', non_polygon_locations: 'zones sans polygone', skipped_files: 'fichiers ignorés',
      files_in_folder: 'fichiers dans un dossier', only_arrival_or_departure: 'arrêts à une seule heure',
    },
  },
  // react-admin's login form: the login is an e-mail address ("Identifiant" by default); "Modifier" rather than the
  // anglicism "Éditer" on the edit buttons.
  ra: { ...french.ra, auth: { ...french.ra.auth, username: 'Adresse e-mail' }, action: { ...french.ra.action, edit: 'Modifier' } },
};

export const i18nProvider = polyglotI18nProvider(() => messages, 'fr', [{ locale: 'fr', name: 'Français' }], { allowMissing: true });

/** Choices for SelectInput from a message group: [{id, name}] with translated names. */
export const choices = (group: keyof typeof messages.comobi, ids: readonly string[]) =>
  ids.map((id) => ({ id, name: `comobi.${group}.${id}` }));
