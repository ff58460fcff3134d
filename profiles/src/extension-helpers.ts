import type { ElementDefinition, StructureDefinitionContext } from '@medplum/fhirtypes';
import { fhirPathString, oneOf } from './fhirpath.js';
import type { ProfileSource } from './types.js';
import { el, invariant } from './types.js';

/** One sub-extension of a complex extension. */
export interface ExtensionPart {
  /** Sub-extension url (a plain name, as FHIR complex extensions use). */
  name: string;
  min: 0 | 1;
  /** FHIR primitive type of its value (`string`, `code`, `boolean`, `date`…). */
  type: string;
  short: string;
  /** For `code` values: the closed list of codes, enforced by an invariant. */
  codes?: readonly string[];
  /** For `code` values: the ValueSet they are bound to (required). */
  valueSet?: string;
}

/** Metadata of an extension definition. */
export interface ExtensionMeta {
  id: string;
  url: string;
  name: string;
  title: string;
  description: string;
  context: StructureDefinitionContext[];
  /** Prefix of the invariant keys (`psl-origin`). */
  keyPrefix: string;
}

/** FHIRPath, on the extension: the value of part `name` (empty when absent). */
function partValue(part: ExtensionPart): string {
  return `extension.where(url = ${fhirPathString(part.name)}).value`;
}

/**
 * A complex extension (sub-extensions only, no value). Besides the slices, an invariant on
 * the root restates what Medplum does not check inside slices: each part's value type and,
 * for codes, the closed list.
 */
export function complexExtension(meta: ExtensionMeta, parts: readonly ExtensionPart[]): ProfileSource {
  const checks = parts.map((part) => {
    const value = partValue(part);
    const typed = `${value}.ofType(${part.type}).exists()`;
    const inList = part.codes ? ` and ${value}.all(${oneOf('$this', part.codes)})` : '';
    const present = `(${typed}${inList})`;
    return part.min === 1 ? present : `(${value}.empty() or ${present})`;
  });
  const names = parts.map((p) => p.name);
  const differential: ElementDefinition[] = [
    el('Extension', {
      short: meta.title,
      definition: meta.description,
      constraint: [
        invariant(
          `${meta.keyPrefix}-1`,
          `Sous-extensions attendues : ${parts.map((p) => `${p.name} (${p.type}, ${p.min}..1${p.codes ? ', liste fermée' : ''})`).join(', ')} ; aucune autre`,
          `${checks.join(' and ')} and extension.all(${oneOf('url', names)})`,
        ),
      ],
    }),
    el('Extension.extension', { min: parts.filter((p) => p.min === 1).length }),
  ];
  for (const part of parts) {
    const base = `Extension.extension:${part.name}`;
    differential.push(
      el(base, { short: part.short, min: part.min, max: '1' }),
      el(`${base}.extension`, { max: '0' }),
      el(`${base}.url`, { fixedUri: part.name }),
      el(`${base}.value[x]`, {
        min: 1,
        type: [{ code: part.type }],
        ...(part.valueSet ? { binding: { strength: 'required', valueSet: part.valueSet } } : {}),
      }),
    );
  }
  differential.push(el('Extension.url', { fixedUri: meta.url }), el('Extension.value[x]', { max: '0' }));
  return { ...meta, type: 'Extension', differential };
}

/** A simple extension: one value of `type`, optionally bound to a closed list of codings. */
export function simpleExtension(
  meta: ExtensionMeta,
  value: { type: string; short: string; valueSet?: string; constraint?: ElementDefinition['constraint'] },
): ProfileSource {
  return {
    ...meta,
    type: 'Extension',
    differential: [
      el('Extension', { short: meta.title, definition: meta.description, ...(value.constraint ? { constraint: value.constraint } : {}) }),
      el('Extension.extension', { max: '0' }),
      el('Extension.url', { fixedUri: meta.url }),
      el('Extension.value[x]', {
        short: value.short,
        min: 1,
        type: [{ code: value.type }],
        ...(value.valueSet ? { binding: { strength: 'required', valueSet: value.valueSet } } : {}),
      }),
    ],
  };
}
