/**
 * Never-throwing access to the values of a parsed message, escape sequences decoded.
 *
 * Why not `Hl7Field.getComponent` directly: it throws a TypeError for a repetition past the end
 * (`components[repetition]` is undefined), `Hl7Segment.getField` returns `undefined` past the end
 * despite its type, and neither decodes escape sequences. Indexes here follow the HL7 names
 * (PID-3.4.2 = field 3, component 4, sub-component 2, all 1-based); repetitions are 0-based.
 */
import type { Hl7Field, Hl7Segment } from '@medplum/core';
import type { Hl7Charset } from './charset.js';
import { unescapeHl7, type Hl7Delimiters } from './escape.js';

/** Reads decoded values from segments of one message. */
export class FieldReader {
  /**
   * @param delimiters - the message's delimiters (MSH-1, MSH-2)
   * @param charset - the message's character set, for `\Xhh\` sequences
   */
  constructor(
    readonly delimiters: Hl7Delimiters,
    readonly charset: Hl7Charset,
  ) {}

  /** Raw (still escaped) text of a whole field, `''` when absent. */
  rawField(segment: Hl7Segment | undefined, field: number): string {
    const f = safeField(segment, field);
    return f === undefined ? '' : f.toString();
  }

  /** Number of repetitions of a field: 0 when the field is absent or empty. */
  repetitionCount(segment: Hl7Segment | undefined, field: number): number {
    const f = safeField(segment, field);
    if (f === undefined) return 0;
    if (f.components.length === 1 && f.components[0]?.every((c) => c === '') === true) return 0;
    return f.components.length;
  }

  /**
   * Decoded value of field / component / sub-component / repetition; `''` when absent.
   * Without `subcomponent`, a component holding sub-components is returned whole, decoded.
   */
  value(segment: Hl7Segment | undefined, field: number, component = 1, subcomponent?: number, repetition = 0): string {
    const raw = this.rawComponent(segment, field, component, repetition);
    if (subcomponent === undefined) return unescapeHl7(raw, this.delimiters, this.charset);
    const part = raw.split(this.delimiters.subcomponent)[subcomponent - 1] ?? '';
    return unescapeHl7(part, this.delimiters, this.charset);
  }

  /** Raw text of one component, escape sequences left in place. */
  rawComponent(segment: Hl7Segment | undefined, field: number, component = 1, repetition = 0): string {
    const f = safeField(segment, field);
    return f?.components[repetition]?.[component - 1] ?? '';
  }

  /** Decodes any raw piece of this message (for callers that split values themselves). */
  decode(raw: string): string {
    return unescapeHl7(raw, this.delimiters, this.charset);
  }
}

function safeField(segment: Hl7Segment | undefined, field: number): Hl7Field | undefined {
  if (segment === undefined || field < 1) return undefined;
  // getField returns undefined past the end although its type says Hl7Field.
  return segment.getField(field) as Hl7Field | undefined;
}
