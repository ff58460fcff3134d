import { carePlanProfile } from './careplan.js';
import { careTeamProfile } from './careteam.js';
import {
  originExtension,
  planReviewDateExtension,
  requestIdExtension,
  supportRequestConsentExtension,
  supportRequestStatusExtension,
  unqualifiedInsExtension,
} from './extensions.js';
import { organizationProfile } from './organization.js';
import { patientProfile } from './patient.js';
import { serviceRequestProfile } from './service-request.js';
import type { ProfileSource } from './types.js';

/** Extension definitions, generated before the profiles that use them. */
export const EXTENSION_SOURCES: readonly ProfileSource[] = [
  originExtension,
  unqualifiedInsExtension,
  planReviewDateExtension,
  supportRequestStatusExtension,
  supportRequestConsentExtension,
  requestIdExtension,
];

/** Resource profiles: at most one per resource type (`profileFor` relies on it). */
export const PROFILE_SOURCES: readonly ProfileSource[] = [
  carePlanProfile,
  careTeamProfile,
  serviceRequestProfile,
  organizationProfile,
  patientProfile,
];
