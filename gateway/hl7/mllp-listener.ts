/**
 * The MLLP door of HL7 v2 inbound (SPEC §3, `MLLP_PORT`): our framer and listener
 * (`gateway/mllp/server.ts`) with the intake as handler. MLLP carries no credentials: the
 * intake accepts a message only from a sending facility a client declares (SPEC §7).
 */
import { startMllpServer, type MllpServer, type MllpServerOptions } from '../mllp/server.js';
import { commitAckWanted } from '../../mappings/hl7/ack.js';
import { ackInfo, peekAcceptAckType } from './ack-info.js';
import type { Hl7Intake } from './intake.js';

/** Options of {@link startHl7Listener}: the listener's, with the intake in place of the handler. */
export interface Hl7ListenerOptions extends Omit<MllpServerOptions, 'handle'> {
  intake: Hl7Intake;
}

/**
 * Starts the MLLP listener. Each frame is stored, queued and acknowledged by the intake; a frame
 * the intake could not handle (storage down, timeout) is answered `AE` by the server itself, so
 * the sender keeps it and resends.
 *
 * @example
 *   const listener = await startHl7Listener({ host: config.HOST, port: config.MLLP_PORT, intake, logger });
 *   // on shutdown
 *   await listener.close();
 */
export function startHl7Listener(options: Hl7ListenerOptions): Promise<MllpServer> {
  const { intake, ...server } = options;
  return startMllpServer({
    ...server,
    handle: async (frame, meta) => {
      const ack = await intake(frame, { channel: 'mllp', remoteAddress: meta.remoteAddress });
      // Stored either way (a resend gets it); sent only if the sender asked for it (MSH-15).
      return commitAckWanted(peekAcceptAckType(frame), ackInfo(ack).code) ? ack : null;
    },
    // Refused, and recorded with the head the framer kept.
    handleOversized: (head, limit, meta) => intake(head, { channel: 'mllp', remoteAddress: meta.remoteAddress, oversizedLimit: limit }),
  });
}
