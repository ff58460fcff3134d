import { SUPPORT_REQUEST_CODE } from '../../mappings/case/to-fhir/service-request.js';
import { CODE_SYSTEM, EXTENSION, PROFILE, valueSetOf } from '../canonical.js';
import { codesOf } from './code-lists.js';
import { codesWithin, oneCodingOf } from './fhirpath.js';
import type { ProfileSource } from './types.js';
import { el, invariant } from './types.js';

/**
 * Passerelle support request: the demande d'appui of art. L6327-1 CSP, sent to the DAC. No
 * national FHIR artefact exists for it (SPEC §4). FR Core ServiceRequest targets orders of
 * examinations in documents (code and occurrence required, note slices): we do not derive from it.
 */
export const serviceRequestProfile: ProfileSource = {
  id: 'passerelle-support-request',
  url: PROFILE.serviceRequest,
  name: 'PasserelleSupportRequest',
  title: "Passerelle demande d'appui (ServiceRequest)",
  description:
    "Demande d'appui à la coordination (art. L6327-1 du code de la santé publique) : usager, date, demandeur, " +
    "motifs de la liste fermée, statut métier et consentement de la personne.",
  type: 'ServiceRequest',
  differential: [
    el('ServiceRequest.extension', {
      min: 1,
      slicing: { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' },
    }),
    el('ServiceRequest.extension:businessStatus', {
      short: 'Statut métier (reçue, acceptée, refusée…)',
      min: 1,
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.supportRequestStatus] }],
      mustSupport: true,
    }),
    el('ServiceRequest.extension:consent', {
      short: 'Consentement de la personne',
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.supportRequestConsent] }],
      mustSupport: true,
    }),
    el('ServiceRequest.identifier', { short: 'Identifiants du dossier et de la demande chez le client', min: 1, mustSupport: true }),
    el('ServiceRequest.identifier.system', { min: 1 }),
    el('ServiceRequest.identifier.value', { min: 1 }),
    el('ServiceRequest.status', { mustSupport: true }),
    el('ServiceRequest.intent', { fixedCode: 'order', mustSupport: true }),
    el('ServiceRequest.code', {
      short: "Demande d'appui à la coordination",
      min: 1,
      patternCodeableConcept: { coding: [{ system: SUPPORT_REQUEST_CODE.system, code: SUPPORT_REQUEST_CODE.code }] },
      mustSupport: true,
    }),
    el('ServiceRequest.priority', { mustSupport: true }),
    el('ServiceRequest.subject', {
      short: "L'usager",
      type: [{ code: 'Reference', targetProfile: [PROFILE.patient] }],
      mustSupport: true,
    }),
    el('ServiceRequest.authoredOn', { short: 'Date de la demande', min: 1, mustSupport: true }),
    el('ServiceRequest.requester', { short: 'Demandeur (médecin traitant ou professionnel)', mustSupport: true }),
    el('ServiceRequest.reasonCode', {
      short: 'Motifs de la demande (liste fermée)',
      min: 1,
      binding: { strength: 'required', valueSet: valueSetOf(CODE_SYSTEM.supportReason) },
      constraint: [
        invariant(
          'psl-sr-1',
          "Chaque motif porte exactement un code de la liste fermée des motifs de demande d'appui",
          `${oneCodingOf('', CODE_SYSTEM.supportReason)} and ${codesWithin('', CODE_SYSTEM.supportReason, codesOf('supportReason'))}`,
        ),
      ],
      mustSupport: true,
    }),
  ],
};
