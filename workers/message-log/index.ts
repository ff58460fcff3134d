/** Inbound message log: store before ACK, status history, tenant-scoped listing, replay bookkeeping. */
export { MessageLog, MAX_LIST_LIMIT, MAX_REASON_LENGTH } from './message-log.js';
export type { MessageLogOptions, TenantGuard } from './message-log.js';
export { isMessageId } from './message-id.js';
export { MESSAGE_CHANNELS, MESSAGE_STATUSES, REPLAYABLE_STATUSES } from './types.js';
export type {
  EarlierStep,
  HistoryEntry,
  ListPage,
  ListQuery,
  MessageChannel,
  MessageListItem,
  MessageRecord,
  MessageStatus,
  MessageSummary,
  ReceiveInput,
  ReceiveResult,
  TransitionDetail,
} from './types.js';
