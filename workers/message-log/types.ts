/**
 * Shapes of the inbound message log. Personal data lives only in `raw` (and in the ACK, which
 * echoes nothing personal but is kept as bytes); every other field is safe to list and log.
 */

/** Where a message came in. Add a value here when a new inbound edge is built (e.g. case documents). */
export const MESSAGE_CHANNELS = ['mllp', 'http-hl7', 'fhir-message'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/**
 * Life of a message: `received` (stored, not yet queued) → `queued` → `mapped` → `written`;
 * or `rejected` (will not be processed as sent: AE/AR, bad content) or `failed` (processing gave up).
 */
export const MESSAGE_STATUSES = ['received', 'queued', 'mapped', 'written', 'rejected', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * Statuses a message can be replayed from: the terminal ones. Refusing the others makes two
 * concurrent replays (a double click) enqueue the message once, and never re-enqueues a
 * message a worker is holding.
 */
export const REPLAYABLE_STATUSES: readonly MessageStatus[] = ['rejected', 'failed', 'written'];

/** What an edge knows about a message without personal data (MSH-9, MSH-10, MSH-4, …). */
export interface MessageSummary {
  readonly messageType?: string;
  readonly event?: string;
  readonly controlId?: string;
  readonly sendingFacility?: string;
}

/** Input of `MessageLog.receive`. */
export interface ReceiveInput {
  readonly channel: MessageChannel;
  /** Authenticated client (for MLLP: the client declaring MSH-4). */
  readonly clientId: string;
  /** Tenant of that client; the message is listed only within it. */
  readonly tenant: string;
  /**
   * Identity of the message for resend detection, scoped to `clientId`; for HL7 v2
   * `${sendingFacility}|${controlId}` (SPEC §3). Omit when the message cannot be parsed:
   * every copy is then recorded.
   */
  readonly dedupeKey?: string;
  /** The bytes exactly as received (before any charset decoding). */
  readonly raw: Buffer;
  readonly contentType?: string;
  /** Declared charset (MSH-18, HTTP `charset`), so a replay decodes the bytes the same way. */
  readonly charset?: string;
  /** Must not carry personal data: only these four fields are stored. */
  readonly summary: MessageSummary;
  /**
   * `raw` is only the first bytes of what was sent (an MLLP frame over the size limit): kept for
   * the record, never processed or replayed.
   */
  readonly truncated?: boolean;
  /**
   * Sorted sets a new message's id joins (score 0; not a duplicate's), in the same atomic call:
   * the person order's sets (`PersonOrder.keys`), which saves the edge a round trip.
   */
  readonly joinSets?: readonly string[];
}

/** Result of `MessageLog.receive`. */
export interface ReceiveResult {
  readonly id: string;
  /** True when `dedupeKey` was already recorded for this client: `id` is the first record's. */
  readonly duplicate: boolean;
  /** Current status of the record (for a duplicate, of the first record). */
  readonly status: MessageStatus;
  /**
   * The ACK stored for the first record (duplicates only). `undefined` on a duplicate means
   * the first receipt never got as far as `setAck` (crash in between): the caller recomputes
   * the ACK, enqueues if `status` is still `received`, and calls `setAck`.
   */
  readonly ack?: Buffer;
  /**
   * Duplicates only: whether the resent bytes equal the first ones. A resend that differs
   * (a sender regenerating MSH-7, or a sender reusing control ids) is still treated as the same
   * message, as SPEC §3 defines it; the caller may warn.
   */
  readonly samePayload?: boolean;
}

/**
 * Detail of a transition. **Contract: no personal data** — no names, birth dates, identifiers
 * (INS, IPP, NDA) or payload excerpts; say which field is wrong, not what it holds
 * (`"PID-3: no usable identifier"`, not the value). These strings are listed to operators and
 * may be logged. Reasons longer than `MAX_REASON_LENGTH` are cut.
 */
export interface TransitionDetail {
  readonly reason?: string;
  /** Machine-readable cause (an HL7 error code, an OperationOutcome issue code, …). */
  readonly code?: string;
  /** References written (`Patient/123`, `Encounter/abc`). */
  readonly resources?: readonly string[];
}

/**
 * A step reached earlier but recorded only with the next transition (one Redis call for two
 * steps): its history entry keeps its own time and comes first. Status indexes only ever see
 * the later status.
 */
export interface EarlierStep {
  readonly status: MessageStatus;
  readonly detail?: TransitionDetail;
  /** When the step was reached, ms since the epoch. */
  readonly at: number;
}

/**
 * One line of a message's history, oldest first. `replayed` marks an operator replay;
 * `reassigned`, a message moved to the client that now declares its sender.
 */
export interface HistoryEntry {
  /** ISO 8601 instant. */
  readonly at: string;
  readonly status: MessageStatus | 'replayed' | 'reassigned';
  readonly reason?: string;
  readonly code?: string;
  readonly resources?: readonly string[];
}

/** What `list` returns per message: metadata only, no payload, no history. */
export interface MessageListItem {
  readonly id: string;
  readonly channel: MessageChannel;
  readonly clientId: string;
  readonly tenant: string;
  readonly dedupeKey?: string;
  readonly contentType?: string;
  readonly charset?: string;
  readonly summary: MessageSummary;
  /** Only the first bytes were kept (see `ReceiveInput.truncated`). */
  readonly truncated?: boolean;
  readonly status: MessageStatus;
  /** Reason and code of the latest transition, when it gave one (why it was rejected, …). */
  readonly reason?: string;
  readonly code?: string;
  /** ISO 8601 instants. */
  readonly receivedAt: string;
  readonly updatedAt: string;
  readonly size: number;
  /** Resends of the same `dedupeKey` acknowledged again without reprocessing. */
  readonly duplicateCount: number;
  readonly replayCount: number;
}

/** A full record, as `get` returns it. */
export interface MessageRecord extends MessageListItem {
  readonly raw: Buffer;
  /** Hex SHA-256 of `raw`. */
  readonly payloadSha256: string;
  readonly ack?: Buffer;
  readonly ackAt?: string;
  readonly history: readonly HistoryEntry[];
}

/** Query of `list`. */
export interface ListQuery {
  readonly tenant: string;
  readonly status?: MessageStatus;
  readonly clientId?: string;
  /** 1 … `MAX_LIST_LIMIT`. */
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page of `list`, newest first. */
export interface ListPage {
  readonly items: readonly MessageListItem[];
  /** Present when more items follow. Opaque. */
  readonly nextCursor?: string;
}
