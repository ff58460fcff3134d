/**
 * The closed code lists of the case document, as data (FHIR-Converter style code maps).
 * Each table gives the French display name published at `GET /v1/code-lists` and, where a
 * national or FHIR code exists, its mapping. The zod enums, the CodeSystems under
 * `/fhir/CodeSystem` and the mappers all read these tables; nothing else spells a code.
 *
 * ANS codes (checked against the published ANS terminologies, TRE versions 2023-12-15 / 2024-04-26):
 * - the Cercle de soins IG binds CareTeam.participant.role to `careteam-roles-vs`
 *   = TRE_R259 `PCP` (Médecin traitant) + every code of TRE_R260-HL7RoleClass
 *   (ECON, GUARD, QUAL deprecated, POLHOLD, CON, CAREGIVER, PAT, PROV, AGNT, NOK);
 * - TRE_R85-RolePriseCharge `330` is "Coordonnateur de parcours" (JDV_J47 FunctionCode CISIS).
 * Which R260 class fits each of our roles (PROV for health professionals and care services,
 * AGNT for other professionals acting in a role) is our judgement; the ANS publishes no
 * role-by-role table for it.
 */
import { CODE_SYSTEM, FR_SYSTEM, HL7_SYSTEM } from '../../profiles/canonical.js';

/** A coding as it appears in FHIR. */
export interface CodingDef {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

/** The code keys of a table, as a non-empty tuple for `z.enum`. */
export function codesOf<T extends Record<string, unknown>>(table: T): [keyof T & string, ...(keyof T & string)[]] {
  return Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];
}

const R259 = (code: string, display: string): CodingDef => ({ system: FR_SYSTEM.treR259ParticipationFunction, code, display });
const R260 = (code: string, display: string): CodingDef => ({ system: FR_SYSTEM.treR260RoleClass, code, display });
const PCP = R259('PCP', 'Médecin traitant');
const PROV = R260('PROV', 'Professionnel de santé');
const AGNT = R260('AGNT', 'Professionnel caractérisé par son rôle');

/** Who can hold a team role: a professional (practitioner and/or organization) or a close person. */
export type TeamParty = 'professional' | 'person';

interface TeamRoleDef {
  readonly display: string;
  readonly party: TeamParty;
  /** Code of the ANS Cercle de soins value set (careteam-roles-vs). */
  readonly ans: CodingDef;
  /** A more precise ANS code where one exists (TRE_R85), sent as an extra coding. */
  readonly ansFunction?: CodingDef;
}

/** Roles in the cercle de soins (CareTeam.participant.role). */
export const TEAM_ROLES = {
  'medecin-traitant': { display: 'Médecin traitant', party: 'professional', ans: PCP },
  'medecin-specialiste': { display: 'Médecin spécialiste', party: 'professional', ans: PROV },
  infirmier: { display: 'Infirmier ou infirmière', party: 'professional', ans: PROV },
  pharmacien: { display: 'Pharmacien', party: 'professional', ans: PROV },
  kinesitherapeute: { display: 'Masseur-kinésithérapeute', party: 'professional', ans: PROV },
  'autre-professionnel-sante': { display: 'Autre professionnel de santé', party: 'professional', ans: PROV },
  psychologue: { display: 'Psychologue', party: 'professional', ans: AGNT },
  'assistant-social': { display: 'Assistant ou assistante de service social', party: 'professional', ans: AGNT },
  'aide-a-domicile': { display: 'Aide à domicile (SAAD)', party: 'professional', ans: AGNT },
  coordinateur: {
    display: 'Coordinateur de parcours (gestionnaire de cas)', party: 'professional', ans: AGNT,
    ansFunction: { system: FR_SYSTEM.treR85RolePriseCharge, code: '330', display: 'Coordonnateur de parcours' },
  },
  'ehpad-referent': { display: 'Référent EHPAD', party: 'professional', ans: AGNT },
  ssiad: { display: 'Service de soins infirmiers à domicile (SSIAD)', party: 'professional', ans: PROV },
  had: { display: 'Hospitalisation à domicile (HAD)', party: 'professional', ans: PROV },
  'etablissement-sante': { display: 'Établissement de santé référent', party: 'professional', ans: PROV },
  aidant: { display: 'Aidant', party: 'person', ans: R260('CAREGIVER', 'Aidant') },
  'personne-de-confiance': { display: 'Personne de confiance', party: 'person', ans: R260('NOK', 'personne de confiance') },
  'representant-legal': { display: 'Représentant légal', party: 'person', ans: R260('GUARD', 'Responsable légal') },
  'personne-a-prevenir': { display: 'Personne à prévenir', party: 'person', ans: R260('ECON', "personne à prévenir en cas d'urgence") },
} as const satisfies Record<string, TeamRoleDef>;
export type TeamRole = keyof typeof TEAM_ROLES;

interface Display { readonly display: string }

/** Domains of a problem of the plan (Condition.category). */
export const PROBLEM_DOMAINS = {
  sante: { display: 'Santé (soins)' },
  psychologique: { display: 'Santé psychique' },
  autonomie: { display: 'Autonomie' },
  social: { display: 'Situation sociale' },
  'medico-social': { display: 'Médico-social' },
  logement: { display: 'Logement et cadre de vie' },
  ressources: { display: 'Ressources et situation financière' },
  'acces-aux-droits': { display: 'Accès aux droits et démarches' },
  aidant: { display: "Situation de l'aidant" },
  'fin-de-vie': { display: 'Fin de vie et soins palliatifs' },
} as const satisfies Record<string, Display>;
export type ProblemDomain = keyof typeof PROBLEM_DOMAINS;

/** Kinds of plan actions (CarePlan.activity.detail.code). */
export const ACTION_KINDS = {
  soin: { display: 'Soin' },
  aide: { display: 'Aide à la vie quotidienne' },
  social: { display: 'Accompagnement social' },
  'medico-social': { display: 'Accompagnement médico-social' },
  prevention: { display: 'Prévention' },
  'education-therapeutique': { display: 'Éducation thérapeutique' },
  evaluation: { display: 'Évaluation' },
  coordination: { display: 'Coordination' },
  'soutien-aidant': { display: "Soutien à l'aidant" },
  hebergement: { display: 'Hébergement (temporaire ou permanent)' },
  administratif: { display: 'Démarche administrative' },
} as const satisfies Record<string, Display>;
export type ActionKind = keyof typeof ACTION_KINDS;

/** Reasons for a support request (demande d'appui, art. L6327-1 CSP) — ServiceRequest.reasonCode. */
export const SUPPORT_REASONS = {
  sante: { display: 'Problèmes de santé' },
  social: { display: 'Difficultés sociales' },
  'medico-social': { display: 'Besoins médico-sociaux' },
  psychologique: { display: 'Souffrance psychique' },
  autonomie: { display: "Perte d'autonomie" },
  'maintien-a-domicile': { display: 'Maintien à domicile difficile' },
  'sortie-hospitalisation': { display: "Sortie d'hospitalisation" },
  'rupture-de-parcours': { display: 'Risque de rupture de parcours' },
  'epuisement-aidant': { display: "Épuisement de l'aidant" },
  'fin-de-vie': { display: 'Fin de vie' },
  'acces-aux-droits': { display: 'Accès aux droits' },
} as const satisfies Record<string, Display>;
export type SupportReason = keyof typeof SUPPORT_REASONS;

/** Statuses of the plan, with the CarePlan.status and the Goal.lifecycleStatus they imply. */
export const PLAN_STATUSES = {
  draft: { display: 'Brouillon', fhir: 'draft', goal: 'proposed' },
  active: { display: 'En cours', fhir: 'active', goal: 'active' },
  suspended: { display: 'Suspendu', fhir: 'on-hold', goal: 'on-hold' },
  completed: { display: 'Terminé', fhir: 'completed', goal: 'completed' },
  cancelled: { display: 'Annulé', fhir: 'revoked', goal: 'cancelled' },
} as const satisfies Record<string, Display & { fhir: string; goal: string }>;
export type PlanStatus = keyof typeof PLAN_STATUSES;

/** Statuses of a plan action: the same codes as CarePlan.activity.detail.status. */
export const ACTION_STATUSES = {
  'not-started': { display: 'Non commencée', fhir: 'not-started' },
  scheduled: { display: 'Planifiée', fhir: 'scheduled' },
  'in-progress': { display: 'En cours', fhir: 'in-progress' },
  'on-hold': { display: 'Suspendue', fhir: 'on-hold' },
  completed: { display: 'Réalisée', fhir: 'completed' },
  cancelled: { display: 'Annulée', fhir: 'cancelled' },
  stopped: { display: 'Arrêtée', fhir: 'stopped' },
} as const satisfies Record<string, Display & { fhir: string }>;
export type ActionStatus = keyof typeof ACTION_STATUSES;

/**
 * Statuses of a support request. ServiceRequest.status is coarser (a received and an accepted
 * request are both `active`), so the business status also travels in an extension.
 */
export const SUPPORT_REQUEST_STATUSES = {
  received: { display: 'Reçue', fhir: 'active' },
  accepted: { display: 'Acceptée', fhir: 'active' },
  'in-progress': { display: 'En cours de traitement', fhir: 'active' },
  'on-hold': { display: 'Suspendue', fhir: 'on-hold' },
  completed: { display: 'Clôturée', fhir: 'completed' },
  rejected: { display: 'Refusée', fhir: 'revoked' },
  cancelled: { display: 'Annulée', fhir: 'revoked' },
} as const satisfies Record<string, Display & { fhir: string }>;
export type SupportRequestStatus = keyof typeof SUPPORT_REQUEST_STATUSES;

/** Business status read back from a ServiceRequest that lacks our extension. */
export const SUPPORT_REQUEST_STATUS_FROM_FHIR: Readonly<Record<string, SupportRequestStatus>> = {
  draft: 'received', active: 'accepted', 'on-hold': 'on-hold', completed: 'completed',
  revoked: 'cancelled', 'entered-in-error': 'cancelled', unknown: 'received',
};

/** Priorities: the FHIR request-priority codes with French displays. */
export const PRIORITIES = {
  routine: { display: 'Normale', fhir: 'routine' },
  urgent: { display: 'Urgente', fhir: 'urgent' },
  asap: { display: 'Dès que possible', fhir: 'asap' },
  stat: { display: 'Immédiate', fhir: 'stat' },
} as const satisfies Record<string, Display & { fhir: string }>;
export type Priority = keyof typeof PRIORITIES;

/**
 * Identity statuses of the RNIV (référentiel national d'identitovigilance). Only a
 * `qualified` identity makes its INS a matching key and an official identifier (SPEC §3, §4).
 */
export const IDENTITY_STATUSES = {
  provisional: { display: 'Identité provisoire' },
  retrieved: { display: 'Identité récupérée' },
  validated: { display: 'Identité validée' },
  qualified: { display: 'Identité qualifiée' },
} as const satisfies Record<string, Display>;
export type IdentityStatus = keyof typeof IDENTITY_STATUSES;

/** Kinds of INS number, with their FHIR identifier system, type (FR Core) and use (SPEC §4). */
export const INS_KINDS = {
  NIR: { display: 'NIR (numéro de sécurité sociale)', system: FR_SYSTEM.insNir, type: 'INS-NIR', typeDisplay: 'NIR définitif', use: 'official' },
  NIA: { display: "NIA (numéro identifiant d'attente)", system: FR_SYSTEM.insNia, type: 'INS-NIA', typeDisplay: 'NIR temporaire', use: 'temp' },
} as const satisfies Record<string, Display & { system: string; type: string; typeDisplay: string; use: 'official' | 'temp' }>;
export type InsKindCode = keyof typeof INS_KINDS;

/** Administrative sex: the FHIR AdministrativeGender codes. */
export const SEXES = {
  female: { display: 'Féminin' },
  male: { display: 'Masculin' },
  other: { display: 'Autre' },
  unknown: { display: 'Inconnu' },
} as const satisfies Record<string, Display>;
export type Sex = keyof typeof SEXES;

const ROLE_CODE = (code: string, display: string): CodingDef => ({ system: HL7_SYSTEM.v3RoleCode, code, display });

/**
 * Relationship of a close person to the usager (RelatedPerson.relationship), mapped to
 * HL7 v3 RoleCode (the codes the ANS TRE_R216-HL7RoleCode republishes; displays as in HL7).
 */
export const RELATIONSHIPS = {
  conjoint: { display: 'Conjoint ou conjointe', v3: ROLE_CODE('SPS', 'spouse') },
  compagnon: { display: 'Compagnon ou compagne', v3: ROLE_CODE('DOMPART', 'domestic partner') },
  fille: { display: 'Fille', v3: ROLE_CODE('DAUC', 'daughter') },
  fils: { display: 'Fils', v3: ROLE_CODE('SONC', 'son') },
  mere: { display: 'Mère', v3: ROLE_CODE('MTH', 'mother') },
  pere: { display: 'Père', v3: ROLE_CODE('FTH', 'father') },
  soeur: { display: 'Sœur', v3: ROLE_CODE('SIS', 'sister') },
  frere: { display: 'Frère', v3: ROLE_CODE('BRO', 'brother') },
  'petite-fille': { display: 'Petite-fille', v3: ROLE_CODE('GRNDDAU', 'granddaughter') },
  'petit-fils': { display: 'Petit-fils', v3: ROLE_CODE('GRNDSON', 'grandson') },
  niece: { display: 'Nièce', v3: ROLE_CODE('NIECE', 'niece') },
  neveu: { display: 'Neveu', v3: ROLE_CODE('NEPHEW', 'nephew') },
  'autre-famille': { display: 'Autre membre de la famille', v3: ROLE_CODE('FAMMEMB', 'family member') },
  ami: { display: 'Ami ou amie', v3: ROLE_CODE('FRND', 'unrelated friend') },
  voisin: { display: 'Voisin ou voisine', v3: ROLE_CODE('NBOR', 'neighbor') },
} as const satisfies Record<string, Display & { v3: CodingDef }>;
export type Relationship = keyof typeof RELATIONSHIPS;

/** Kinds of organizations in the directory (`PUT /v1/organizations/{id}`). */
export const ORGANIZATION_KINDS = {
  dac: { display: "Dispositif d'appui à la coordination (DAC)" },
  'etablissement-sante': { display: 'Établissement de santé' },
  ehpad: { display: 'EHPAD' },
  ssiad: { display: 'SSIAD' },
  had: { display: 'HAD' },
  saad: { display: "Service d'aide à domicile (SAAD)" },
  cpts: { display: 'CPTS' },
  msp: { display: 'Maison de santé pluriprofessionnelle (MSP)' },
  'cabinet-liberal': { display: 'Cabinet libéral' },
  pharmacie: { display: "Pharmacie d'officine" },
  'service-social': { display: 'Service social (CCAS, conseil départemental…)' },
  autre: { display: 'Autre structure' },
} as const satisfies Record<string, Display>;
export type OrganizationKind = keyof typeof ORGANIZATION_KINDS;

/** Professions in the directory (`PUT /v1/practitioners/{id}`). */
export const PROFESSIONS = {
  medecin: { display: 'Médecin' },
  infirmier: { display: 'Infirmier ou infirmière' },
  pharmacien: { display: 'Pharmacien' },
  'masseur-kinesitherapeute': { display: 'Masseur-kinésithérapeute' },
  'sage-femme': { display: 'Sage-femme' },
  'chirurgien-dentiste': { display: 'Chirurgien-dentiste' },
  psychologue: { display: 'Psychologue' },
  'assistant-social': { display: 'Assistant ou assistante de service social' },
  coordinateur: { display: 'Coordinateur de parcours' },
  autre: { display: 'Autre profession' },
} as const satisfies Record<string, Display>;
export type Profession = keyof typeof PROFESSIONS;

/** The code lists published at `GET /v1/code-lists` and as CodeSystems, with their system URL. */
export const CODE_LISTS = {
  teamRole: { system: CODE_SYSTEM.teamRole, title: 'Rôles dans le cercle de soins', codes: TEAM_ROLES },
  problemDomain: { system: CODE_SYSTEM.problemDomain, title: 'Domaines des problèmes', codes: PROBLEM_DOMAINS },
  actionKind: { system: CODE_SYSTEM.actionKind, title: "Types d'actions", codes: ACTION_KINDS },
  supportReason: { system: CODE_SYSTEM.supportReason, title: "Motifs de demande d'appui", codes: SUPPORT_REASONS },
  planStatus: { system: CODE_SYSTEM.planStatus, title: 'Statuts du plan', codes: PLAN_STATUSES },
  actionStatus: { system: CODE_SYSTEM.actionStatus, title: 'Statuts des actions', codes: ACTION_STATUSES },
  supportRequestStatus: { system: CODE_SYSTEM.supportRequestStatus, title: "Statuts de la demande d'appui", codes: SUPPORT_REQUEST_STATUSES },
  priority: { system: CODE_SYSTEM.priority, title: 'Priorités', codes: PRIORITIES },
  identityStatus: { system: CODE_SYSTEM.identityStatus, title: "Statuts de l'identité", codes: IDENTITY_STATUSES },
  relationship: { system: CODE_SYSTEM.relationship, title: 'Liens avec la personne', codes: RELATIONSHIPS },
  organizationKind: { system: CODE_SYSTEM.organizationKind, title: 'Types de structures', codes: ORGANIZATION_KINDS },
  profession: { system: CODE_SYSTEM.profession, title: 'Professions', codes: PROFESSIONS },
} as const;
export type CodeListName = keyof typeof CODE_LISTS;

/** A coding of one of our code lists, with its French display. */
export function ourCoding<L extends CodeListName>(list: L, code: keyof (typeof CODE_LISTS)[L]['codes'] & string): CodingDef {
  const entry = (CODE_LISTS[list].codes as Record<string, Display>)[code];
  return { system: CODE_LISTS[list].system, code, display: entry?.display ?? code };
}

/**
 * The code lists as plain JSON, the body of `GET /v1/code-lists`:
 * `{ teamRole: { system, title, codes: [{ code, display }] }, … }`.
 */
export function codeListsDocument(): Record<CodeListName, { system: string; title: string; codes: { code: string; display: string }[] }> {
  const out = {} as Record<CodeListName, { system: string; title: string; codes: { code: string; display: string }[] }>;
  for (const name of Object.keys(CODE_LISTS) as CodeListName[]) {
    const list = CODE_LISTS[name];
    out[name] = {
      system: list.system,
      title: list.title,
      codes: Object.entries(list.codes as Record<string, Display>).map(([code, v]) => ({ code, display: v.display })),
    };
  }
  return out;
}
