/**
 * The unified pathway view (SPEC §2 `GET /v1/patients/{patientId}/pathway`): what a
 * coordinator reads about one person, in the vocabulary of the case document, every code
 * with its French display, every plan element with its origin (SPEC §5).
 *
 * These zod schemas are the source of truth of the answer's shape: `buildPathway` returns
 * their type and the route publishes them in `/openapi.json`.
 */
import { z } from 'zod';

/** A code with its French display (`{ code: 'in-progress', display: 'En cours' }`). */
export const CodedSchema = z.object({
  code: z.string(),
  display: z.string(),
}).meta({ id: 'PathwayCoded', description: 'Code et libellé français' });
export type Coded = z.infer<typeof CodedSchema>;

export const PeriodViewSchema = z.object({
  start: z.string().optional(),
  end: z.string().optional(),
}).meta({ id: 'PathwayPeriod' });

/** Who contributed an element: the client system (SPEC §5), with its own ids where known. */
export const OriginViewSchema = z.object({
  client: z.string().meta({ description: 'Identifiant du système client qui a écrit l’élément', example: 'chu-besancon' }),
  clientName: z.string().optional().meta({ description: 'Nom de ce système client', example: 'CHU de Besançon' }),
  caseId: z.string().optional().meta({ description: 'Dossier de coordination de ce client' }),
  elementId: z.string().optional().meta({ description: 'Identifiant de l’élément chez ce client', example: 'A1' }),
}).meta({ id: 'PathwayOrigin' });
export type OriginView = z.infer<typeof OriginViewSchema>;

/** A professional, a structure, both (a professional within a structure) or a close person. */
export const PartyViewSchema = z.object({
  reference: z.string().meta({ description: 'Référence FHIR (Type/id)', example: 'Practitioner/123' }),
  display: z.string().meta({ description: 'Libellé à afficher', example: 'Luc BERNARD' }),
  practitioner: z.object({ name: z.string().optional(), rpps: z.string().optional() }).optional(),
  organization: z.object({ name: z.string().optional(), finess: z.string().optional(), siret: z.string().optional() }).optional(),
}).meta({ id: 'PathwayParty' });
export type PartyView = z.infer<typeof PartyViewSchema>;

export const PatientViewSchema = z.object({
  id: z.string().meta({ description: 'Identifiant FHIR du Patient' }),
  displayName: z.string().meta({ example: 'Jeanne Marie DUPONT' }),
  familyName: z.string().optional().meta({ description: 'Nom utilisé' }),
  birthFamilyName: z.string().optional().meta({ description: 'Nom de naissance' }),
  givenNames: z.array(z.string()),
  birthDate: z.string().optional(),
  sex: CodedSchema.optional(),
  identityStatus: CodedSchema.meta({ description: 'Statut de l’identité (RNIV) ; `unknown` quand rien ne l’indique' }),
  active: z.boolean(),
  replacedBy: z.string().optional().meta({ description: 'Patient survivant quand ce dossier a été fusionné (Type/id)' }),
}).meta({ id: 'PathwayPatient' });
export type PatientView = z.infer<typeof PatientViewSchema>;

export const ProblemViewSchema = z.object({
  id: z.string().optional(),
  label: z.string(),
  domain: CodedSchema.optional(),
  origin: OriginViewSchema.optional(),
}).meta({ id: 'PathwayProblem' });
export type ProblemView = z.infer<typeof ProblemViewSchema>;

export const GoalViewSchema = z.object({
  id: z.string().optional(),
  label: z.string(),
  status: CodedSchema.optional(),
  dueOn: z.string().optional(),
  problems: z.array(z.string()).meta({ description: 'Libellés des problèmes visés' }),
  origin: OriginViewSchema.optional(),
}).meta({ id: 'PathwayGoal' });
export type GoalView = z.infer<typeof GoalViewSchema>;

export const ActivityViewSchema = z.object({
  id: z.string().optional().meta({ description: 'Identifiant de l’action chez son contributeur' }),
  label: z.string(),
  kind: CodedSchema.optional(),
  status: CodedSchema,
  responsible: PartyViewSchema.optional(),
  schedule: z.string().optional().meta({ description: 'Rythme, en clair', example: '2/semaine' }),
  scheduledPeriod: PeriodViewSchema.optional().meta({ description: 'Période prévue' }),
  goals: z.array(z.string()).meta({ description: 'Libellés des objectifs visés' }),
  origin: OriginViewSchema.optional().meta({ description: 'Qui a ajouté l’action' }),
}).meta({ id: 'PathwayActivity' });
export type ActivityView = z.infer<typeof ActivityViewSchema>;

export const PlanViewSchema = z.object({
  id: z.string().meta({ description: 'Identifiant FHIR du CarePlan' }),
  planId: z.string().optional().meta({ description: 'Identifiant du plan chez son propriétaire', example: 'PPS-42' }),
  title: z.string().optional(),
  description: z.string().optional(),
  status: CodedSchema,
  period: PeriodViewSchema.optional(),
  reviewOn: z.string().optional(),
  author: PartyViewSchema.optional(),
  owner: OriginViewSchema.optional().meta({ description: 'Système client propriétaire du plan' }),
  problems: z.array(ProblemViewSchema),
  goals: z.array(GoalViewSchema),
  activities: z.array(ActivityViewSchema).meta({ description: 'Actions de tous les contributeurs, dans l’ordre du plan' }),
}).meta({ id: 'PathwayPlan' });
export type PlanView = z.infer<typeof PlanViewSchema>;

export const TeamMemberViewSchema = z.object({
  role: CodedSchema,
  kind: z.enum(['professional', 'person']),
  name: z.string().optional().meta({ description: 'Nom du professionnel ou du proche' }),
  organization: z.string().optional().meta({ description: 'Structure' }),
  relationship: CodedSchema.optional(),
  member: PartyViewSchema.optional(),
  period: PeriodViewSchema.optional(),
  origin: OriginViewSchema.optional(),
}).meta({ id: 'PathwayTeamMember' });
export type TeamMemberView = z.infer<typeof TeamMemberViewSchema>;

export const SupportRequestViewSchema = z.object({
  id: z.string(),
  requestId: z.string().optional().meta({ description: 'Identifiant de la demande chez son émetteur', example: 'DEM-77' }),
  status: CodedSchema,
  priority: CodedSchema.optional(),
  reasons: z.array(CodedSchema),
  requestedOn: z.string().optional(),
  requester: PartyViewSchema.optional(),
  consent: z.object({ given: z.boolean(), date: z.string().optional() }).optional(),
  owner: OriginViewSchema.optional(),
}).meta({ id: 'PathwaySupportRequest' });
export type SupportRequestView = z.infer<typeof SupportRequestViewSchema>;

export const StayViewSchema = z.object({
  id: z.string(),
  status: CodedSchema,
  class: CodedSchema.optional(),
  period: PeriodViewSchema.optional(),
  serviceProvider: PartyViewSchema.optional(),
  dischargeDisposition: CodedSchema.optional().meta({ description: 'Mode de sortie' }),
  destination: z.object({ display: z.string(), reference: z.string().optional() }).optional(),
  owner: OriginViewSchema.optional(),
}).meta({ id: 'PathwayStay' });
export type StayView = z.infer<typeof StayViewSchema>;

export const TaskViewSchema = z.object({
  id: z.string(),
  status: CodedSchema,
  code: CodedSchema.optional(),
  description: z.string().optional(),
  discharge: z.boolean().meta({ description: 'Tâche « sortie d’hospitalisation » (TRE_R254-TypeEvenement#SOR)' }),
  priority: CodedSchema.optional(),
  authoredOn: z.string().optional(),
  owner: PartyViewSchema.optional().meta({ description: 'Qui doit la traiter' }),
  focus: z.object({ reference: z.string(), display: z.string() }).optional(),
  origin: OriginViewSchema.optional().meta({ description: 'Système client qui l’a créée' }),
}).meta({ id: 'PathwayTask' });
export type TaskView = z.infer<typeof TaskViewSchema>;

export const PathwayViewSchema = z.object({
  patient: PatientViewSchema,
  plans: z.array(PlanViewSchema).meta({ description: 'Plans en cours ou suspendus' }),
  team: z.array(TeamMemberViewSchema).meta({ description: 'Cercle de soins (équipes actives, tous contributeurs)' }),
  supportRequests: z.array(SupportRequestViewSchema),
  stays: z.array(StayViewSchema).meta({ description: 'Séjours hospitaliers, les plus récents d’abord' }),
  openTasks: z.array(TaskViewSchema),
  issues: z.array(z.string()).meta({ description: 'Ce qui n’a pas pu être lu (références introuvables, codes hors liste)' }),
}).meta({ id: 'PathwayView', description: 'Parcours unifié d’une personne' });
export type PathwayView = z.infer<typeof PathwayViewSchema>;
