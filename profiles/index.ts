/**
 * Passerelle's FHIR conformance artefacts: the committed profiles (StructureDefinitions with
 * snapshots), extension definitions, CodeSystems and ValueSets of `profiles/`, and validation
 * of resources against base R4 plus our profiles.
 *
 * @example
 * import { profileFor, validateAgainstProfiles } from '../profiles/index.js';
 * validateAgainstProfiles(carePlan); // throws OperationOutcomeError naming each faulty path
 */
export {
  allCodeSystems,
  allExtensionDefinitions,
  allProfiles,
  allStructureDefinitions,
  allValueSets,
  profileFor,
} from './artefacts.js';
export { indexDefinitions, profileIssues, validateAgainstProfiles, validateBundleEntries } from './validate.js';
