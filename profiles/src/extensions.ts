import { CODE_SYSTEM, EXTENSION, valueSetOf } from '../canonical.js';
import { INS_KINDS } from '../../mappings/case/code-lists.js';
import { codesOf } from './code-lists.js';
import { complexExtension, simpleExtension } from './extension-helpers.js';
import { codesWithin, oneCodingOf } from './fhirpath.js';
import { invariant } from './types.js';

/**
 * `element-origin`: which client system wrote a plan element, in which case and under which
 * of its own ids (SPEC §5: "every element carries its origin"; the multi-contributor merge
 * keeps the elements of other origins). Matches `originExtension` of the case mappers.
 */
export const originExtension = complexExtension(
  {
    id: 'element-origin',
    url: EXTENSION.origin,
    name: 'PasserelleElementOrigin',
    title: "Origine d'un élément",
    description:
      "Système client qui a écrit l'élément (action du plan, problème, objectif, membre de l'équipe…), dossier " +
      "dont il provient et identifiant de l'élément chez ce client. Chaque contributeur ne remplace que ce qu'il possède.",
    context: [
      { type: 'element', expression: 'CarePlan.activity' },
      { type: 'element', expression: 'CareTeam.participant' },
      { type: 'element', expression: 'Goal' },
      { type: 'element', expression: 'Condition' },
    ],
    keyPrefix: 'psl-origin',
  },
  [
    { name: 'client', min: 1, type: 'string', short: 'Identifiant du client (système) qui a écrit l’élément' },
    { name: 'case', min: 0, type: 'string', short: 'Identifiant du dossier de coordination chez ce client' },
    { name: 'id', min: 1, type: 'string', short: "Identifiant de l'élément chez ce client" },
  ],
);

/**
 * `unqualified-ins`: the INS of an identity that is not qualified. Identitovigilance (SPEC §3):
 * such an INS is kept but is never an identifier nor a matching key.
 */
export const unqualifiedInsExtension = complexExtension(
  {
    id: 'unqualified-ins',
    url: EXTENSION.unqualifiedIns,
    name: 'PasserelleUnqualifiedIns',
    title: 'INS d’une identité non qualifiée',
    description:
      "INS transmis pour une identité qui n'est pas qualifiée (provisoire, récupérée ou validée) : conservé pour " +
      "la qualification ultérieure, il n'est ni un identifiant du patient ni une clé de rapprochement.",
    context: [{ type: 'element', expression: 'Patient' }],
    keyPrefix: 'psl-uins',
  },
  [
    { name: 'value', min: 1, type: 'string', short: 'Matricule INS (15 caractères)' },
    { name: 'kind', min: 1, type: 'code', short: 'NIR | NIA', codes: Object.keys(INS_KINDS) },
    {
      name: 'identityStatus',
      min: 1,
      type: 'code',
      short: "Statut de l'identité (RNIV), jamais « qualified »",
      codes: codesOf('identityStatus').filter((c) => c !== 'qualified'),
      valueSet: valueSetOf(CODE_SYSTEM.identityStatus),
    },
  ],
);

/** `plan-review-date`: when the PPS is to be reviewed (R4 CarePlan has no element for it). */
export const planReviewDateExtension = simpleExtension(
  {
    id: 'plan-review-date',
    url: EXTENSION.planReviewDate,
    name: 'PasserellePlanReviewDate',
    title: 'Date de réévaluation du PPS',
    description: 'Date à laquelle le plan personnalisé (PPS / PPCS) doit être réévalué.',
    context: [{ type: 'element', expression: 'CarePlan' }],
    keyPrefix: 'psl-review',
  },
  { type: 'date', short: 'Date de réévaluation prévue' },
);

/**
 * `support-request-status`: the business status of a support request, finer than
 * ServiceRequest.status (a received and an accepted request are both `active`).
 */
export const supportRequestStatusExtension = simpleExtension(
  {
    id: 'support-request-status',
    url: EXTENSION.supportRequestStatus,
    name: 'PasserelleSupportRequestStatus',
    title: "Statut métier de la demande d'appui",
    description: "Statut de la demande d'appui dans le vocabulaire du dossier de coordination (reçue, acceptée, refusée…).",
    context: [{ type: 'element', expression: 'ServiceRequest' }],
    keyPrefix: 'psl-srstatus',
  },
  {
    type: 'CodeableConcept',
    short: "Statut de la demande d'appui (liste fermée)",
    valueSet: valueSetOf(CODE_SYSTEM.supportRequestStatus),
    constraint: [
      invariant(
        'psl-srstatus-1',
        "Le statut porte exactement un code de la liste des statuts de demande d'appui",
        `${oneCodingOf('value.ofType(CodeableConcept)', CODE_SYSTEM.supportRequestStatus)} and ` +
          codesWithin('value.ofType(CodeableConcept)', CODE_SYSTEM.supportRequestStatus, codesOf('supportRequestStatus')),
      ),
    ],
  },
);

/** `support-request-consent`: the person's consent to the support request. */
export const supportRequestConsentExtension = complexExtension(
  {
    id: 'support-request-consent',
    url: EXTENSION.supportRequestConsent,
    name: 'PasserelleSupportRequestConsent',
    title: "Consentement à la demande d'appui",
    description: "Consentement de la personne à la demande d'appui (art. L6327-1 CSP) : donné ou non, et sa date.",
    context: [{ type: 'element', expression: 'ServiceRequest' }],
    keyPrefix: 'psl-consent',
  },
  [
    { name: 'given', min: 1, type: 'boolean', short: 'Consentement donné' },
    { name: 'date', min: 0, type: 'date', short: 'Date du consentement' },
  ],
);

/** `request-id`: the request id of the API call that wrote the resources (trace, SPEC practice 12). */
export const requestIdExtension = simpleExtension(
  {
    id: 'request-id',
    url: EXTENSION.requestId,
    name: 'PasserelleRequestId',
    title: "Identifiant de la requête d'écriture",
    description: "Identifiant de la requête de l'API qui a lu ou écrit les ressources, pour relier une Provenance ou un AuditEvent aux journaux.",
    context: [{ type: 'element', expression: 'Provenance' }, { type: 'element', expression: 'AuditEvent' }],
    keyPrefix: 'psl-reqid',
  },
  { type: 'string', short: 'Identifiant de requête' },
);
