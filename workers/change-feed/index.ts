/**
 * The change feed: changes made directly on an external FHIR server become outbound events.
 * See `README.md`.
 */
export { startChangeFeed, CURSOR_OVERLAP_MS, HISTORY_PAGE_SIZE, type ChangeFeed, type ChangeFeedDeps, type PollResult } from './poller.js';
export { FEED_EVENT_OF_TYPE, FEED_TYPES, FHIR_SERVER_SOURCE, versionEvent, type FeedType, type SkipReason, type VersionDecision } from './version-event.js';
export { feedDecision, startChangeFeedSwitch, type ChangeFeedMode, type FeedDecision, type FeedSwitchDeps } from './feed-switch.js';
