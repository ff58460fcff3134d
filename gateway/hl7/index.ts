/**
 * HL7 v2 inbound edge (SPEC §3): the intake (store → queue → ACK), its MLLP listener and HTTP
 * route, and the start-up recovery sweep. The worker side is `workers/processors/hl7-inbound.ts`.
 */
export { createHl7Intake, UNASSIGNED, type Hl7Intake, type Hl7IntakeDeps, type Hl7Source } from './intake.js';
export { startHl7Listener, type Hl7ListenerOptions } from './mllp-listener.js';
export { registerHl7Routes, ACK_CODE_HEADER, HL7_MEDIA_TYPES, HL7_WRITE_SCOPE, type Hl7RouteDeps } from './http-route.js';
export { recoverPendingHl7, DEFAULT_RECOVERY_AGE_MS, type Hl7RecoveryDeps, type Hl7RecoveryReport } from './recovery.js';
export { declaredSender, judgeHl7, type Hl7Policy, type Hl7Verdict } from './verdict.js';
export { ackInfo, type AckInfo } from './ack-info.js';
