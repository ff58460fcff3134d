/**
 * HL7 v2 escape sequences (v2.5 ch. 2.7). `Hl7Message.parse` from @medplum/core splits on the
 * delimiters but leaves sequences such as `\S\` in the values; every value we extract goes through
 * {@link unescapeHl7}, and every value we write into an ACK goes through {@link escapeHl7}, both
 * with the delimiters the message itself declared in MSH-1/MSH-2.
 */
import { decodeWindows1252, type Hl7Charset } from './charset.js';

/** The five delimiters of a message (MSH-1 and MSH-2). */
export interface Hl7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
}

/** `|^~\&`: what nearly every sender uses and what we use when a message's own are unusable. */
export const DEFAULT_DELIMITERS: Hl7Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes the escape sequences of one value (a component or sub-component, already split):
 * `\F\ \S\ \T\ \R\ \E\` → the delimiters, `\Xhh…\` → the bytes `hh…` in the message's character
 * set, `\.br\` and `\.sp\` → a line feed, `\H\` and `\N\` (highlighting) → nothing. Any other
 * sequence (`\Zxx\`, `\Cxxyy\`, malformed hex…) and an unterminated escape are left as they are.
 *
 * @example
 *   unescapeHl7('Dupont\T\Fils \E\ Cie', DEFAULT_DELIMITERS); // 'Dupont&Fils \ Cie'
 */
export function unescapeHl7(value: string, delimiters: Hl7Delimiters, charset: Hl7Charset = 'utf-8'): string {
  const esc = delimiters.escape;
  if (esc === '' || !value.includes(esc)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    const end = start < 0 ? -1 : value.indexOf(esc, start + 1);
    if (end < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const decoded = decodeSequence(value.slice(start + 1, end), delimiters, charset);
    out += decoded ?? value.slice(start, end + 1);
    i = end + 1;
  }
  return out;
}

function decodeSequence(code: string, d: Hl7Delimiters, charset: Hl7Charset): string | undefined {
  switch (code) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case '.br':
    case '.sp':
      return '\n';
    case 'H':
    case 'N':
      return '';
    default:
      if (code.startsWith('X')) return decodeHex(code.slice(1), charset);
      return undefined;
  }
}

function decodeHex(hex: string, charset: Hl7Charset): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return charset === 'utf-8' ? utf8.decode(bytes) : decodeWindows1252(bytes);
}

/**
 * Escapes a value for an ER7 field: the delimiters become `\F\ \S\ \T\ \R\ \E\`, and control
 * characters (CR, LF, and the MLLP bytes VT 0x0B / FS 0x1C, which would end a segment or break the
 * framing) become `\Xhh\`. {@link unescapeHl7} of the result gives the value back.
 *
 * @example
 *   escapeHl7('PID-3 missing | see ^doc', DEFAULT_DELIMITERS); // 'PID-3 missing \F\ see \S\doc'
 */
export function escapeHl7(value: string, delimiters: Hl7Delimiters): string {
  const names = new Map<string, string>();
  // Order matters only if two delimiters were equal, which parse.ts refuses; escape wins.
  const pairs: [string, string][] = [
    [delimiters.escape, 'E'],
    [delimiters.field, 'F'],
    [delimiters.component, 'S'],
    [delimiters.subcomponent, 'T'],
    [delimiters.repetition, 'R'],
  ];
  for (const [char, name] of pairs) if (char !== '' && !names.has(char)) names.set(char, name);
  const esc = delimiters.escape === '' ? DEFAULT_DELIMITERS.escape : delimiters.escape;
  let out = '';
  for (const char of value) {
    const name = names.get(char);
    if (name !== undefined) {
      out += `${esc}${name}${esc}`;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      out += `${esc}X${code.toString(16).toUpperCase().padStart(2, '0')}${esc}`;
      continue;
    }
    out += char;
  }
  return out;
}
