import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hl7ToFhirDate, hl7ToFhirDateTime, resolveTimeContext, type TimeContext } from './datetime.js';

const paris: TimeContext = { kind: 'zone', timeZone: 'Europe/Paris' };

describe('hl7ToFhirDateTime', () => {
  it.each([
    ['2025', '2025'],
    ['202501', '2025-01'],
    ['20250110', '2025-01-10'],
    ['2025011009', '2025-01-10T09:00:00+01:00'],
    ['202501100915', '2025-01-10T09:15:00+01:00'],
    ['20250110091530.25', '2025-01-10T09:15:30.25+01:00'],
    ['20250712091500', '2025-07-12T09:15:00+02:00'], // summer time
    ['20250110091500-0500', '2025-01-10T09:15:00-05:00'], // explicit offset wins
    ['20250110091500+0000', '2025-01-10T09:15:00+00:00'],
  ])('reads %s in Europe/Paris as %s', (raw, expected) => {
    expect(hl7ToFhirDateTime(raw, paris)).toEqual({ ok: true, value: expected });
  });

  it('reads a wall time in the spring-forward gap and the autumn overlap deterministically', () => {
    expect(hl7ToFhirDateTime('20250330023000', paris)).toEqual({ ok: true, value: '2025-03-30T02:30:00+01:00' });
    expect(hl7ToFhirDateTime('20250330033000', paris)).toEqual({ ok: true, value: '2025-03-30T03:30:00+02:00' });
    expect(hl7ToFhirDateTime('20251026023000', paris)).toEqual({ ok: true, value: '2025-10-26T02:30:00+02:00' });
    expect(hl7ToFhirDateTime('20251026033000', paris)).toEqual({ ok: true, value: '2025-10-26T03:30:00+01:00' });
  });

  it('uses a fixed offset when told to', () => {
    expect(hl7ToFhirDateTime('20250110091500', { kind: 'fixed', offsetMinutes: 240 })).toEqual({ ok: true, value: '2025-01-10T09:15:00+04:00' });
  });

  it.each(['2025-01-10', '20251310', '20250230', '20250110250000', '20250110091500+2500', '0000', 'abc', ''])('refuses %j without echoing it', (raw) => {
    const result = hl7ToFhirDateTime(raw, paris);
    expect(result.ok).toBe(false);
    if (!result.ok && raw !== '') expect(result.reason).not.toContain(raw);
  });

  // Before 1911 Paris used local mean time (+00:09:21): sub-minute offsets are out of scope.
  it('gives instants that agree with the offset they carry', () => {
    const parisWallTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    /** The instant as Paris wall time without offset, in HL7's DTM form. */
    const wallTime = (instant: number) => {
      const parts = Object.fromEntries(parisWallTime.formatToParts(instant).map((p) => [p.type, p.value]));
      return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
    };
    const hour = 3_600_000;
    fc.assert(
      fc.property(fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        // Format the instant as Paris wall time, read it back, compare instants.
        const instant = Math.floor(date.getTime() / 1000) * 1000;
        const raw = wallTime(instant);
        const result = hl7ToFhirDateTime(raw, paris);
        expect(result.ok).toBe(true);
        const back = result.ok ? Date.parse(result.value) : NaN;
        // In the autumn overlap the wall time names two instants an hour apart (summer time ended
        // in late September until 1995, in late October since): either is a right reading.
        const ambiguous = wallTime(instant - hour) === raw || wallTime(instant + hour) === raw;
        if (ambiguous) {
          expect([instant - hour, instant, instant + hour]).toContain(back);
          expect(wallTime(back)).toBe(raw);
        } else {
          expect(back).toBe(instant);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the autumn overlap of the years when summer time ended in September', () => {
    // 25 September 1988: 03:00 summer time went back to 02:00; 02:30 happened twice, read as in 2025.
    expect(hl7ToFhirDateTime('19880925023000', paris)).toEqual({ ok: true, value: '1988-09-25T02:30:00+02:00' });
    expect(hl7ToFhirDateTime('19880925033000', paris)).toEqual({ ok: true, value: '1988-09-25T03:30:00+01:00' });
    expect(hl7ToFhirDateTime('19880924120000', paris)).toEqual({ ok: true, value: '1988-09-24T12:00:00+02:00' });
    expect(hl7ToFhirDateTime('19880926120000', paris)).toEqual({ ok: true, value: '1988-09-26T12:00:00+01:00' });
  });
});

describe('hl7ToFhirDate', () => {
  it.each([
    ['19520718', '1952-07-18'],
    ['195207181230', '1952-07-18'],
    ['19520700', '1952-07'],
    ['19520000', '1952'],
    ['1952', '1952'],
  ])('reads %s as %s', (raw, expected) => {
    expect(hl7ToFhirDate(raw)).toEqual({ ok: true, value: expected });
  });

  it('refuses an impossible date', () => {
    expect(hl7ToFhirDate('19520231').ok).toBe(false);
    expect(hl7ToFhirDate('1952-07-18').ok).toBe(false);
  });
});

describe('resolveTimeContext', () => {
  it('keeps the zone when MSH-7 has no offset or one consistent with it', () => {
    expect(resolveTimeContext('20250110091500', 'Europe/Paris')).toEqual({ context: paris });
    expect(resolveTimeContext('20250712091500+0200', 'Europe/Paris')).toEqual({ context: paris });
  });

  it('switches to MSH-7’s offset when the sender is clearly elsewhere (La Réunion)', () => {
    const resolved = resolveTimeContext('20250110091500+0400', 'Europe/Paris');
    expect(resolved.context).toEqual({ kind: 'fixed', offsetMinutes: 240 });
    expect(resolved.note).toContain('+04:00');
  });

  it('falls back to UTC, with a note, for an unknown zone', () => {
    const resolved = resolveTimeContext('20250110091500', 'Mars/Olympus');
    expect(resolved.context).toEqual({ kind: 'zone', timeZone: 'UTC' });
    expect(resolved.note).toContain('unknown');
  });
});
