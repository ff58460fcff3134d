import { PPS_CATEGORY } from '../../mappings/case/to-fhir/care-plan.js';
import { CODE_SYSTEM, EXTENSION, PROFILE, valueSetOf } from '../canonical.js';
import { codesOf } from './code-lists.js';
import { codesWithin, fhirPathString, oneCodingOf } from './fhirpath.js';
import type { ProfileSource } from './types.js';
import { el, invariant } from './types.js';

const ACTION_KIND_CODES = codesOf('actionKind');

/**
 * Passerelle PPS CarePlan: the personalised plan (PPS / PPCS). No national FHIR artefact
 * exists for it (SPEC §4), so this profile is ours; it follows FR Core's identifier and
 * reference conventions.
 */
export const carePlanProfile: ProfileSource = {
  id: 'passerelle-pps-careplan',
  url: PROFILE.carePlan,
  name: 'PasserellePpsCarePlan',
  title: 'Passerelle PPS / PPCS (CarePlan)',
  description:
    'Plan personnalisé de coordination en santé (PPS / PPCS) partagé par tous les contributeurs du parcours : ' +
    "intention « plan », catégorie PPS, usager, période, problèmes, objectifs et actions. Chaque action porte son " +
    "origine (client, dossier, identifiant) et un type d'action de la liste fermée.",
  type: 'CarePlan',
  differential: [
    el('CarePlan.extension', {
      slicing: { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' },
    }),
    el('CarePlan.extension:reviewDate', {
      short: 'Date de réévaluation prévue du PPS',
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.planReviewDate] }],
      mustSupport: true,
    }),
    el('CarePlan.identifier', {
      short: 'Identifiants du dossier et du plan dans le logiciel qui les a écrits',
      min: 1,
      mustSupport: true,
    }),
    el('CarePlan.identifier.system', { min: 1 }),
    el('CarePlan.identifier.value', { min: 1 }),
    el('CarePlan.status', { mustSupport: true }),
    el('CarePlan.intent', { short: 'plan : un PPS est un plan, pas une prescription', fixedCode: 'plan', mustSupport: true }),
    el('CarePlan.category', {
      slicing: {
        discriminator: [{ type: 'pattern', path: '$this' }],
        description: 'La catégorie PPS identifie le plan personnalisé ; d’autres catégories peuvent s’y ajouter',
        ordered: false,
        rules: 'open',
      },
      min: 1,
      mustSupport: true,
    }),
    el('CarePlan.category:pps', {
      short: 'PPS / PPCS',
      min: 1,
      max: '1',
      patternCodeableConcept: { coding: [{ system: PPS_CATEGORY.system, code: PPS_CATEGORY.code }] },
      mustSupport: true,
    }),
    el('CarePlan.title', { mustSupport: true }),
    el('CarePlan.subject', {
      short: 'L’usager',
      type: [{ code: 'Reference', targetProfile: [PROFILE.patient] }],
      mustSupport: true,
    }),
    el('CarePlan.period', { short: 'Période du plan', mustSupport: true }),
    el('CarePlan.author', { mustSupport: true }),
    el('CarePlan.careTeam', {
      short: 'Le cercle de soins du dossier',
      type: [{ code: 'Reference', targetProfile: [PROFILE.careTeam] }],
      mustSupport: true,
    }),
    el('CarePlan.addresses', { short: 'Problèmes du plan (Condition)', mustSupport: true }),
    el('CarePlan.supportingInfo', { short: "La demande d'appui à l'origine du plan", mustSupport: true }),
    el('CarePlan.goal', { short: 'Objectifs du plan (Goal)', mustSupport: true }),
    el('CarePlan.activity', {
      short: 'Actions du plan, chacune avec son origine',
      // Medplum does not validate inside BackboneElements: what matters is restated here,
      // on the activity itself, where it is checked (the snapshot below says the same).
      constraint: [
        invariant(
          'psl-pps-1',
          "Une action porte exactement une origine (extension element-origin : client et identifiant de l'action)",
          `extension.where(url = ${fhirPathString(EXTENSION.origin)}).count() = 1`,
        ),
        invariant(
          'psl-pps-2',
          "Une action est décrite en ligne (detail) avec exactement un type d'action de la liste fermée",
          `detail.exists() and ${oneCodingOf('detail.code', CODE_SYSTEM.actionKind)} and ` +
            codesWithin('detail.code', CODE_SYSTEM.actionKind, ACTION_KIND_CODES),
        ),
      ],
      mustSupport: true,
    }),
    el('CarePlan.activity.extension', {
      min: 1,
      slicing: { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' },
    }),
    el('CarePlan.activity.extension:origin', {
      short: "Origine de l'action : client, dossier, identifiant chez le client",
      min: 1,
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.origin] }],
      mustSupport: true,
    }),
    el('CarePlan.activity.detail', { min: 1, mustSupport: true }),
    el('CarePlan.activity.detail.code', {
      short: "Type d'action (liste fermée Passerelle)",
      min: 1,
      binding: { strength: 'required', valueSet: valueSetOf(CODE_SYSTEM.actionKind) },
      mustSupport: true,
    }),
    el('CarePlan.activity.detail.status', { mustSupport: true }),
    el('CarePlan.activity.detail.performer', { short: "Responsable de l'action", mustSupport: true }),
    el('CarePlan.activity.detail.description', { short: "Libellé de l'action", mustSupport: true }),
  ],
};
