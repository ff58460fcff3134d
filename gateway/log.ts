/**
 * Structured JSON logs (pino). Log lines must never carry personal data: the redaction list
 * below is a safety net for field names that hold it, not a licence to log resources.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const PERSONAL_FIELDS = [
  'name', 'familyName', 'givenNames', 'givenName', 'birthDate', 'birthFamilyName', 'ins',
  'identifier', 'address', 'phone', 'telecom', 'patient', 'body', 'raw', 'authorization',
  'apiKey', 'secret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'passerelle' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' },
    },
    destination,
  );
}
