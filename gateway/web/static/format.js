// @ts-check
/** French formats of the dates and periods of the pathway. */

/**
 * `2024-03-10` → `10/03/2024`; `2024-03` → `03/2024`; a date-time → local date and time.
 * Date-only values are never turned into a `Date`: a time zone would shift them by a day.
 * @param {string | undefined} value
 * @returns {string}
 */
export function frDate(value) {
  if (!value) return '';
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) return `${month[2]}/${month[1]}`;
  if (/^\d{4}$/.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
}

/**
 * `{ start, end }` → `du 10/03/2024 au 10/09/2024`, `depuis le …`, `jusqu’au …`, or ''.
 * @param {{ start?: string, end?: string } | undefined} period
 * @returns {string}
 */
export function frPeriod(period) {
  const start = frDate(period?.start);
  const end = frDate(period?.end);
  if (start && end) return `du ${start} au ${end}`;
  if (start) return `depuis le ${start}`;
  if (end) return `jusqu’au ${end}`;
  return '';
}
