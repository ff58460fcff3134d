/**
 * Tenant (and client id) of inbound HL7 v2 messages that belong to no client: an unknown sending
 * facility over MLLP, or a header too broken to name one. They are recorded for an operator to
 * list, and never processed. Not a valid client tenant (those are slugs): it never collides with
 * a real territory.
 */
export const UNASSIGNED = '_unassigned';
