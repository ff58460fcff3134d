/**
 * zod schemas of the case document (SPEC §2) and of the directory entries — the source of
 * truth for validation and, through @hono/zod-openapi, for `/openapi.json`.
 *
 * - Objects are strict: an unknown field is an error, not a silent drop.
 * - National identifiers are checked with their keys (INS, RPPS, FINESS, SIRET); the error
 *   sits on that field's path, e.g. `team.members.1.practitioner.rpps`.
 * - Cross-field rules (unique ids, goal → problem and action → goal references, who can hold a
 *   role) are checked on the whole document, with the path of the faulty element.
 * - Names and identity references: team members carry a practitioner's or organization's
 *   details (names); every other place (generalPractitioner, requester, author, responsible)
 *   refers by identity only, so one description per party exists in a case.
 */
import { z } from 'zod';
import { finessValid, insValid, rppsValid, siretValid } from '../identifiers/index.js';
import {
  ACTION_KINDS, ACTION_STATUSES, IDENTITY_STATUSES, INS_KINDS, ORGANIZATION_KINDS, PLAN_STATUSES, PRIORITIES,
  PROBLEM_DOMAINS, PROFESSIONS, RELATIONSHIPS, SEXES, SUPPORT_REASONS, SUPPORT_REQUEST_STATUSES, TEAM_ROLES, codesOf,
} from './code-lists.js';
import { memberElementId } from './keys.js';

/** Client-side ids (case, plan, problem, goal, action, member…): safe in URLs and identifiers. */
export const ClientIdSchema = z.string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/, 'identifiant : 1 à 64 caractères parmi lettres, chiffres et . _ : @ -')
  .meta({ description: "Identifiant propre au logiciel appelant (1–64 caractères : lettres, chiffres, . _ : @ -)", example: 'PPS-42' });

const DateSchema = z.iso.date({ message: 'date attendue au format AAAA-MM-JJ' });
// FHIR strings must hold non-whitespace content: "  " is rejected here rather than by the server.
const Text = (max: number) => z.string().min(1, 'ne doit pas être vide').max(max).regex(/\S/, 'ne doit pas être vide');
const NameSchema = Text(200);
const PhoneSchema = z.string().regex(/^\+?[0-9][0-9 .()-]{5,24}$/, 'numéro de téléphone invalide')
  .meta({ example: '+33381000000' });
const EmailSchema = z.email({ message: 'adresse e-mail invalide' });

export const RppsSchema = z.string().refine(rppsValid, 'RPPS invalide : 11 chiffres dont une clé de Luhn')
  .meta({ description: 'Numéro RPPS (11 chiffres, clé de Luhn)', example: '10003456786' });
export const FinessSchema = z.string().refine(finessValid, 'FINESS invalide : 9 caractères dont une clé de Luhn')
  .meta({ description: 'Numéro FINESS (9 caractères, clé de Luhn ; 2A/2B en Corse)', example: '250012341' });
export const SiretSchema = z.string().refine(siretValid, 'SIRET invalide : 14 chiffres dont une clé de Luhn')
  .meta({ description: 'Numéro SIRET (14 chiffres, clé de Luhn ; exception La Poste)', example: '12345678900015' });

const codeEnum = <T extends Record<string, { display: string }>>(table: T, description: string) =>
  z.enum(codesOf(table)).meta({
    description: `${description} : ${Object.entries(table).map(([c, v]) => `${c} (${v.display})`).join(', ')}`,
  });

export const TeamRoleSchema = codeEnum(TEAM_ROLES, 'Rôle dans le cercle de soins');
export const ProblemDomainSchema = codeEnum(PROBLEM_DOMAINS, 'Domaine du problème');
export const ActionKindSchema = codeEnum(ACTION_KINDS, "Type d'action");
export const SupportReasonSchema = codeEnum(SUPPORT_REASONS, "Motif de la demande d'appui");
export const PlanStatusSchema = codeEnum(PLAN_STATUSES, 'Statut du plan');
export const ActionStatusSchema = codeEnum(ACTION_STATUSES, "Statut de l'action");
export const SupportRequestStatusSchema = codeEnum(SUPPORT_REQUEST_STATUSES, "Statut de la demande d'appui");
export const PrioritySchema = codeEnum(PRIORITIES, 'Priorité');
export const IdentityStatusSchema = codeEnum(IDENTITY_STATUSES, "Statut de l'identité (RNIV)");
export const SexSchema = codeEnum(SEXES, 'Sexe administratif');
export const RelationshipSchema = codeEnum(RELATIONSHIPS, 'Lien avec la personne');
export const OrganizationKindSchema = codeEnum(ORGANIZATION_KINDS, 'Type de structure');
export const ProfessionSchema = codeEnum(PROFESSIONS, 'Profession');

const PeriodSchema = z.strictObject({ start: DateSchema.optional(), end: DateSchema.optional() })
  .refine((p) => p.start !== undefined || p.end !== undefined, { message: 'start ou end requis' })
  .refine((p) => p.start === undefined || p.end === undefined || p.start <= p.end, {
    message: 'la fin précède le début', path: ['end'],
  });

const AddressSchema = z.strictObject({
  lines: z.array(Text(200)).optional(),
  postalCode: z.string().regex(/^[0-9]{5}$/, 'code postal : 5 chiffres').optional(),
  city: Text(200).optional(),
  country: Text(100).optional(),
});

const practitionerIdentityShape = {
  rpps: RppsSchema.optional(),
  id: ClientIdSchema.optional().meta({ description: "Identifiant du professionnel dans l'annuaire de l'appelant (PUT /v1/practitioners/{id})" }),
};
const hasPractitionerKey = (p: { rpps?: string | undefined; id?: string | undefined }) => p.rpps !== undefined || p.id !== undefined;
const practitionerKeyMessage = { message: 'rpps ou id requis' };

/** A practitioner referred to by identity only (RPPS and/or the caller's own id). */
export const PractitionerRefSchema = z.strictObject(practitionerIdentityShape)
  .refine(hasPractitionerKey, practitionerKeyMessage)
  .meta({ description: 'Professionnel désigné par son RPPS et/ou son identifiant annuaire', example: { rpps: '10003456786' } });

/** A practitioner as described in the team: identity plus names. */
export const PractitionerDetailsSchema = z.strictObject({
  ...practitionerIdentityShape,
  familyName: NameSchema.optional(),
  givenName: NameSchema.optional(),
}).refine(hasPractitionerKey, practitionerKeyMessage);

const organizationIdentityShape = {
  finess: FinessSchema.optional(),
  siret: SiretSchema.optional(),
  id: ClientIdSchema.optional().meta({ description: "Identifiant de la structure dans l'annuaire de l'appelant (PUT /v1/organizations/{id})" }),
};
const hasOrganizationKey = (o: { finess?: string | undefined; siret?: string | undefined; id?: string | undefined }) =>
  o.finess !== undefined || o.siret !== undefined || o.id !== undefined;
const organizationKeyMessage = { message: 'finess, siret ou id requis' };

/** An organization referred to by identity only. */
export const OrganizationRefSchema = z.strictObject(organizationIdentityShape)
  .refine(hasOrganizationKey, organizationKeyMessage)
  .meta({ example: { siret: '12345678900015' } });

/** An organization as described in the team: identity plus name. */
export const OrganizationDetailsSchema = z.strictObject({ ...organizationIdentityShape, name: Text(300).optional() })
  .refine(hasOrganizationKey, organizationKeyMessage);

export const RelatedPersonSchema = z.strictObject({
  familyName: NameSchema,
  givenName: NameSchema.optional(),
  relationship: RelationshipSchema.optional(),
  phone: PhoneSchema.optional(),
}).meta({ description: 'Proche (aidant, personne de confiance…)' });

export const TeamMemberSchema = z.strictObject({
  id: ClientIdSchema.optional().meta({ description: "Identifiant du membre chez l'appelant ; à défaut, dérivé du rôle et de l'identité" }),
  role: TeamRoleSchema,
  practitioner: PractitionerDetailsSchema.optional(),
  organization: OrganizationDetailsSchema.optional(),
  relatedPerson: RelatedPersonSchema.optional(),
  period: PeriodSchema.optional(),
}).superRefine((m, ctx) => {
  // Who may hold the role: professionals (practitioner and/or organization) or close persons.
  const party = TEAM_ROLES[m.role].party;
  if (party === 'person') {
    if (!m.relatedPerson) ctx.addIssue({ code: 'custom', path: ['relatedPerson'], message: `le rôle ${m.role} exige relatedPerson` });
    for (const key of ['practitioner', 'organization'] as const) {
      if (m[key]) ctx.addIssue({ code: 'custom', path: [key], message: `le rôle ${m.role} désigne un proche, pas un professionnel` });
    }
  } else {
    if (!m.practitioner && !m.organization) {
      ctx.addIssue({ code: 'custom', path: ['role'], message: `le rôle ${m.role} exige practitioner ou organization` });
    }
    if (m.relatedPerson) ctx.addIssue({ code: 'custom', path: ['relatedPerson'], message: `le rôle ${m.role} désigne un professionnel` });
  }
});

export const InsSchema = z.strictObject({
  value: z.string().refine(insValid, 'INS invalide : 15 caractères dont une clé (97 − n mod 97)')
    .meta({ example: '279035121518989' }),
  kind: z.enum(codesOf(INS_KINDS)),
  identityStatus: IdentityStatusSchema,
}).meta({ description: "INS de la personne ; n'est une clé de rapprochement que si l'identité est qualifiée" });

export const PatientSchema = z.strictObject({
  id: ClientIdSchema.meta({ description: "Identifiant de l'usager chez l'appelant", example: 'USR-981' }),
  ins: InsSchema.optional(),
  familyName: NameSchema.meta({ description: 'Nom utilisé', example: 'DUPONT' }),
  birthFamilyName: NameSchema.optional().meta({ description: 'Nom de naissance', example: 'MARTIN' }),
  givenNames: z.array(NameSchema).optional().meta({ description: 'Prénoms (de naissance)', example: ['Jeanne', 'Marie'] }),
  birthDate: DateSchema.optional(),
  sex: SexSchema.optional(),
  address: AddressSchema.optional(),
  phone: PhoneSchema.optional(),
  generalPractitioner: PractitionerRefSchema.optional(),
});

export const SupportRequestSchema = z.strictObject({
  id: ClientIdSchema,
  requestedOn: DateSchema,
  requester: PractitionerRefSchema.optional(),
  reasons: z.array(SupportReasonSchema).min(1, 'au moins un motif'),
  status: SupportRequestStatusSchema,
  priority: PrioritySchema.optional(),
  consent: z.strictObject({ given: z.boolean(), date: DateSchema.optional() }).optional()
    .meta({ description: "Consentement de la personne à la demande d'appui" }),
  note: Text(4000).optional(),
}).meta({ description: "Demande d'appui (art. L6327-1 CSP)" });

export const ProblemSchema = z.strictObject({ id: ClientIdSchema, label: Text(500), domain: ProblemDomainSchema });

export const GoalSchema = z.strictObject({
  id: ClientIdSchema,
  label: Text(500),
  problemIds: z.array(ClientIdSchema).optional(),
  dueOn: DateSchema.optional(),
});

/** Who carries out an action: a practitioner (by identity), an organization, or both. */
export const ResponsibleSchema = z.strictObject({ ...practitionerIdentityShape, organization: OrganizationRefSchema.optional() })
  .refine((r) => hasPractitionerKey(r) || r.organization !== undefined, { message: 'rpps, id ou organization requis' })
  .meta({ example: { rpps: '10202020201' } });

export const ActionSchema = z.strictObject({
  id: ClientIdSchema,
  label: Text(500),
  kind: ActionKindSchema,
  status: ActionStatusSchema,
  responsible: ResponsibleSchema.optional(),
  goalIds: z.array(ClientIdSchema).optional(),
  schedule: Text(200).optional().meta({ description: 'Fréquence ou calendrier, en clair', example: '2/semaine' }),
});

export const PlanSchema = z.strictObject({
  id: ClientIdSchema,
  status: PlanStatusSchema,
  title: Text(300).optional(),
  description: Text(4000).optional(),
  period: PeriodSchema.optional(),
  reviewOn: DateSchema.optional().meta({ description: 'Date de réévaluation prévue' }),
  author: PractitionerRefSchema.optional(),
  problems: z.array(ProblemSchema).default([]),
  goals: z.array(GoalSchema).default([]),
  actions: z.array(ActionSchema).default([]),
}).meta({ description: 'PPS / PPCS — plan personnalisé de coordination en santé' });

export const TeamSchema = z.strictObject({ members: z.array(TeamMemberSchema).default([]) });

/** The case document of `PUT /v1/cases/{caseId}` (SPEC §2). */
export const CaseDocumentSchema = z.strictObject({
  patient: PatientSchema,
  team: TeamSchema.optional(),
  supportRequest: SupportRequestSchema.optional(),
  plan: PlanSchema.optional(),
}).superRefine((doc, ctx) => {
  const plan = doc.plan;
  if (plan) {
    checkUnique(plan.problems.map((p) => p.id), ['plan', 'problems'], ctx);
    checkUnique(plan.goals.map((g) => g.id), ['plan', 'goals'], ctx);
    checkUnique(plan.actions.map((a) => a.id), ['plan', 'actions'], ctx);
    const problemIds = new Set(plan.problems.map((p) => p.id));
    const goalIds = new Set(plan.goals.map((g) => g.id));
    plan.goals.forEach((g, i) => checkRefs(g.problemIds, problemIds, ['plan', 'goals', i, 'problemIds'], 'problème', ctx));
    plan.actions.forEach((a, i) => checkRefs(a.goalIds, goalIds, ['plan', 'actions', i, 'goalIds'], 'objectif', ctx));
  }
  if (doc.team) {
    // Members are keyed by their own id or by role + identity: two identical keys are one member twice.
    const keys = doc.team.members.map((m) => memberElementId(m));
    checkUnique(keys, ['team', 'members'], ctx);
  }
}).meta({ description: 'Dossier de coordination (SPEC §2)' });

function checkUnique(ids: string[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `doublon : ${id}` });
    seen.add(id);
  });
}

function checkRefs(refs: string[] | undefined, known: Set<string>, path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  (refs ?? []).forEach((ref, i) => {
    if (!known.has(ref)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${what} inconnu : ${ref}` });
    else if (seen.has(ref)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `référence en double : ${ref}` });
    seen.add(ref);
  });
}

/** A validated case document (defaults applied). */
export type CaseDocument = z.output<typeof CaseDocumentSchema>;
/** A case document as a client sends it. */
export type CaseDocumentInput = z.input<typeof CaseDocumentSchema>;
export type CasePatient = CaseDocument['patient'];
export type CaseTeamMember = z.output<typeof TeamMemberSchema>;
export type CaseSupportRequest = z.output<typeof SupportRequestSchema>;
export type CasePlan = z.output<typeof PlanSchema>;
export type CaseProblem = z.output<typeof ProblemSchema>;
export type CaseGoal = z.output<typeof GoalSchema>;
export type CaseAction = z.output<typeof ActionSchema>;
export type CaseResponsible = z.output<typeof ResponsibleSchema>;
export type PractitionerRef = z.output<typeof PractitionerRefSchema>;
export type PractitionerDetails = z.output<typeof PractitionerDetailsSchema>;
export type OrganizationRef = z.output<typeof OrganizationRefSchema>;
export type OrganizationDetails = z.output<typeof OrganizationDetailsSchema>;
export type CaseRelatedPerson = z.output<typeof RelatedPersonSchema>;

/** Directory entry of `PUT /v1/organizations/{id}` ({id} = the caller's own id). */
export const OrganizationEntrySchema = z.strictObject({
  name: Text(300),
  kind: OrganizationKindSchema.optional(),
  finess: FinessSchema.optional(),
  siret: SiretSchema.optional(),
  address: AddressSchema.optional(),
  phone: PhoneSchema.optional(),
  email: EmailSchema.optional(),
  partOf: OrganizationRefSchema.optional().meta({ description: 'Structure de rattachement (entité juridique, groupement)' }),
}).meta({
  description: "Structure de l'annuaire de l'appelant",
  example: { name: 'EHPAD Les Tilleuls', kind: 'ehpad', finess: '250098761' },
});
export type OrganizationEntry = z.output<typeof OrganizationEntrySchema>;

/** Directory entry of `PUT /v1/practitioners/{id}` ({id} = the caller's own id). */
export const PractitionerEntrySchema = z.strictObject({
  rpps: RppsSchema.optional(),
  familyName: NameSchema,
  givenName: NameSchema.optional(),
  profession: ProfessionSchema.optional(),
  phone: PhoneSchema.optional(),
  email: EmailSchema.optional(),
  organizations: z.array(OrganizationRefSchema).optional().meta({ description: 'Structures où il ou elle exerce' }),
}).meta({
  description: "Professionnel de l'annuaire de l'appelant",
  example: { rpps: '10003456786', familyName: 'BERNARD', givenName: 'Luc', profession: 'medecin' },
});
export type PractitionerEntry = z.output<typeof PractitionerEntrySchema>;

/** One validation problem, with its dotted path (`team.members.2.role`). */
export interface FieldIssue { path: string; message: string }

/**
 * Flattens a ZodError into `{ path, message }` pairs with dotted paths; an unknown field
 * becomes one issue on its own path (`patient.nickname`).
 */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...base, key].join('.'), message: 'champ inconnu' });
    } else {
      out.push({ path: base.join('.'), message: issue.message });
    }
  }
  return out;
}
