/**
 * HL7 v2 acknowledgement counters for the MLLP listener (and whoever else ACKs HL7 v2), as a small
 * API so the listener does not depend on prom-client.
 */
import { Counter, type Registry } from 'prom-client';

/** The acknowledgement codes of SPEC §3. */
export type AckCode = 'AA' | 'AE' | 'AR';

/** What the MLLP listener calls once per ACK it sends. */
export interface MllpMetrics {
  /** Counts one message acknowledged with `ackCode`. */
  record(ackCode: AckCode): void;
}

/**
 * Registers `passerelle_mllp_messages_total{ack}` in `registry`, each code starting at 0 so a
 * rate of rejections is defined before the first one happens.
 *
 * @example
 *   const mllp = createMllpMetrics(registry);
 *   mllp.record('AA');
 */
export function createMllpMetrics(registry: Registry): MllpMetrics {
  const messages = new Counter({
    name: 'passerelle_mllp_messages_total',
    help: 'HL7 v2 messages received over MLLP, by acknowledgement code (AA accepted, AE error, AR rejected)',
    labelNames: ['ack'] as const,
    registers: [registry],
  });
  for (const ack of ['AA', 'AE', 'AR'] as const) messages.inc({ ack }, 0);
  return { record: (ackCode) => messages.inc({ ack: ackCode }) };
}
