import type { ElementDefinition, StructureDefinitionContext } from '@medplum/fhirtypes';
import { pathOfId } from '../generator/snapshot.js';

/** The source of one StructureDefinition: metadata plus its differential, as typed data. */
export interface ProfileSource {
  /** Logical id, also the file name stem (`StructureDefinition-<id>.json`). */
  id: string;
  /** Canonical URL, from `canonical.ts`. */
  url: string;
  /** Computable name (PascalCase). */
  name: string;
  /** Human title (French, like the rest of what users see). */
  title: string;
  description: string;
  /** Base type constrained: a resource type, or `Extension` for an extension definition. */
  type: string;
  /** The national artefact this profile follows, if any (documented in README.md). */
  mirrors?: string;
  /** Where an extension may be used (extensions only). */
  context?: StructureDefinitionContext[];
  /** Differential elements, in snapshot order. */
  differential: ElementDefinition[];
}

/**
 * One differential element; the path is derived from the id so the two never disagree.
 * @example el('Patient.identifier:INS-NIR.system', { min: 1, fixedUri: FR_SYSTEM.insNir })
 */
export function el(id: string, props: Omit<ElementDefinition, 'id' | 'path'> = {}): ElementDefinition {
  const sliceName = id.split('.').at(-1)?.split(':')[1];
  return { id, path: pathOfId(id), ...(sliceName ? { sliceName } : {}), ...props };
}

/**
 * An error-severity invariant. `human` is in French (it reaches users in OperationOutcomes)
 * and `expression` is FHIRPath evaluated on the element that carries it.
 */
export function invariant(key: string, human: string, expression: string): NonNullable<ElementDefinition['constraint']>[number] {
  return { key, severity: 'error', human, expression };
}
