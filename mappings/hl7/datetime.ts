/**
 * HL7 DTM / DT values → FHIR `dateTime` / `date` strings, with explicit time-zone handling.
 * Reasons never repeat the value: a birth date is personal data.
 *
 * Why not `parseHl7DateTime` from @medplum/core: it assumes UTC when the value has no offset
 * (an admission at 09:00 in Pontarlier would become 10:00 in Paris), reads `.5` as 5 ms, accepts
 * month 13, and throws a RangeError on years it cannot format.
 *
 * HL7 says a value without offset is in the sender's local time. We take that local time from an
 * IANA zone (configurable, `Europe/Paris` by default), which follows daylight saving time — unlike
 * the fixed offset of MSH-7, which is only right for instants in the same season. When MSH-7 does
 * carry an offset that the zone contradicts (a hospital in La Réunion, UTC+4), the sender is not
 * in that zone, and MSH-7's offset is used instead (see {@link resolveTimeContext}).
 */

/** How values without an offset are placed in time. */
export type TimeContext =
  | { kind: 'zone'; timeZone: string }
  | { kind: 'fixed'; offsetMinutes: number };

/** A converted value, or why it could not be. */
export type DtmResult = { ok: true; value: string } | { ok: false; reason: string };

const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?(?:([+-])(\d{2})(\d{2}))?$/;

/**
 * Converts an HL7 DTM to a FHIR dateTime: `2025`, `2025-01`, `2025-01-10` keep their precision;
 * anything with a time gets seconds and an offset (FHIR requires one).
 *
 * @example
 *   hl7ToFhirDateTime('20250110091500', { kind: 'zone', timeZone: 'Europe/Paris' });
 *   // { ok: true, value: '2025-01-10T09:15:00+01:00' }
 */
export function hl7ToFhirDateTime(raw: string, context: TimeContext): DtmResult {
  const m = DTM.exec(raw.trim());
  if (!m) return { ok: false, reason: 'not an HL7 date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])' };
  const [, y = '', mo, d, h, mi, s, fraction, sign, oh, om] = m;
  const year = Number(y);
  if (year < 1) return { ok: false, reason: 'year out of range' };
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, reason: 'month out of range' };
  if (month !== undefined && day !== undefined && (day < 1 || day > daysInMonth(year, month))) {
    return { ok: false, reason: 'day out of range' };
  }
  if (month === undefined) return { ok: true, value: y };
  if (day === undefined) return { ok: true, value: `${y}-${mo}` };
  const date = `${y}-${mo}-${d}`;
  if (h === undefined) return { ok: true, value: date };
  const hour = Number(h);
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'time out of range' };

  let offsetMinutes: number;
  if (sign !== undefined) {
    const parsed = Number(oh) * 60 + Number(om);
    if (Number(oh) > 14 || Number(om) > 59) return { ok: false, reason: 'time-zone offset out of range' };
    offsetMinutes = sign === '-' ? -parsed : parsed;
  } else if (context.kind === 'fixed') {
    offsetMinutes = context.offsetMinutes;
  } else {
    offsetMinutes = offsetOfLocalTime(utcMs(year, month, day, hour, minute, second), context.timeZone);
  }
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction === undefined ? '' : `.${fraction}`}`;
  return { ok: true, value: `${date}T${time}${formatOffset(offsetMinutes)}` };
}

/**
 * Converts an HL7 DT (or the date part of a DTM, as senders put in PID-7) to a FHIR date.
 * `00` month or day (unknown, as some registries send) lowers the precision instead of failing.
 */
export function hl7ToFhirDate(raw: string): DtmResult {
  const m = /^(\d{4})(?:(\d{2})(?:(\d{2})[0-9.+-]*)?)?$/.exec(raw.trim());
  if (!m) return { ok: false, reason: 'not an HL7 date (YYYY[MM[DD]])' };
  const [, y = '', mo, d] = m;
  if (mo === undefined || mo === '00') return { ok: true, value: y };
  if (d === undefined || d === '00') return Number(mo) <= 12 ? { ok: true, value: `${y}-${mo}` } : { ok: false, reason: 'month out of range' };
  return hl7ToFhirDateTime(`${y}${mo}${d}`, { kind: 'fixed', offsetMinutes: 0 });
}

/**
 * Chooses how to read values without an offset, from MSH-7 and the configured zone.
 *
 * @returns the context, and a note when MSH-7 contradicts the zone (worth an issue).
 */
export function resolveTimeContext(msh7: string, timeZone: string): { context: TimeContext; note?: string } {
  const zone = validTimeZone(timeZone) ? timeZone : 'UTC';
  const zoneContext: TimeContext = { kind: 'zone', timeZone: zone };
  const note = zone === timeZone ? undefined : `time zone "${timeZone}" is unknown: UTC assumed`;
  const m = DTM.exec(msh7.trim());
  if (!m || m[8] === undefined || m[4] === undefined) return note === undefined ? { context: zoneContext } : { context: zoneContext, note };
  const declared = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const instant = hl7ToFhirDateTime(msh7, zoneContext);
  if (!instant.ok) return { context: zoneContext };
  const atInstant = offsetAtInstant(Date.parse(instant.value), zone);
  if (atInstant === declared) return note === undefined ? { context: zoneContext } : { context: zoneContext, note };
  return {
    context: { kind: 'fixed', offsetMinutes: declared },
    note: `MSH-7 offset ${formatOffset(declared)} differs from ${zone} (${formatOffset(atInstant)}): times without offset read as ${formatOffset(declared)}`,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function validTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offsets by zone and quarter-hour: `formatToParts` costs ~10 µs and a message has a dozen
 * date-times, each needing up to four lookups. Zone transitions fall on quarter hours (since
 * 1980 at least), so the offset is constant within one. Bounded: cleared when it grows large.
 */
const offsetCache = new Map<string, number>();
const QUARTER_HOUR_MS = 15 * 60_000;
const OFFSET_CACHE_MAX = 50_000;

/** Offset (minutes east of UTC) of a zone at an instant. */
function offsetAtInstant(instantMs: number, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(instantMs / QUARTER_HOUR_MS)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear();
  const offset = computeOffsetAtInstant(instantMs, timeZone);
  offsetCache.set(key, offset);
  return offset;
}

function computeOffsetAtInstant(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = utcMs(Number(parts.year), Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

/**
 * Offset of a zone for a wall-clock time (given as if it were UTC), disambiguated like Temporal's
 * `compatible` mode: in the autumn overlap the earlier instant (summer offset) wins; a time in the
 * spring gap, which does not exist, is read with the offset in force before the change.
 */
function offsetOfLocalTime(wallAsUtcMs: number, timeZone: string): number {
  const DAY = 86_400_000;
  const before = offsetAtInstant(wallAsUtcMs - DAY, timeZone);
  const after = offsetAtInstant(wallAsUtcMs + DAY, timeZone);
  const valid = (offset: number): boolean => offsetAtInstant(wallAsUtcMs - offset * 60_000, timeZone) === offset;
  if (before === after || valid(before)) return before;
  return valid(after) ? after : before;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

/** `Date.UTC` reads years 0–99 as 1900–1999; this does not. Month is 1-based. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
