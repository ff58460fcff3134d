/**
 * What the message API answers, as zod schemas (validation and `/openapi.json` from one source).
 * Views are built field by field from the log's records, so the raw payload and the ACK bytes
 * can never slip into a JSON answer.
 */
import { z } from '@hono/zod-openapi';
import {
  MESSAGE_CHANNELS, MESSAGE_STATUSES, REPLAYABLE_STATUSES, type MessageListItem, type MessageRecord,
} from '../../../workers/message-log/index.js';

const summarySchema = z.object({
  messageType: z.string().optional().meta({ description: 'MSH-9.1, e.g. ADT' }),
  event: z.string().optional().meta({ description: 'MSH-9.2, e.g. A03' }),
  controlId: z.string().optional().meta({ description: 'MSH-10' }),
  sendingFacility: z.string().optional().meta({ description: 'MSH-4 namespace id' }),
});

export const messageItemSchema = z
  .object({
    id: z.string(),
    channel: z.enum(MESSAGE_CHANNELS),
    clientId: z.string().meta({ description: 'the sending client' }),
    tenant: z.string(),
    summary: summarySchema,
    status: z.enum(MESSAGE_STATUSES),
    reason: z.string().optional().meta({ description: 'why it was rejected or failed (latest transition)' }),
    code: z.string().optional(),
    contentType: z.string().optional(),
    charset: z.string().optional(),
    size: z.number().int().meta({ description: 'bytes received (kept, when truncated)' }),
    truncated: z.boolean().optional().meta({ description: 'only the first bytes were kept (an MLLP frame over the size limit): not replayable' }),
    receivedAt: z.string(),
    updatedAt: z.string(),
    duplicateCount: z.number().int().meta({ description: 'resends acknowledged again without reprocessing' }),
    replayCount: z.number().int(),
  })
  .meta({ id: 'InboundMessage' });

const historyEntrySchema = z.object({
  at: z.string(),
  status: z.enum([...MESSAGE_STATUSES, 'replayed', 'reassigned']),
  reason: z.string().optional(),
  code: z.string().optional(),
  resources: z.array(z.string()).optional(),
});

export const messageDetailSchema = messageItemSchema
  .extend({
    payloadSha256: z.string().meta({ description: 'hex SHA-256 of the raw bytes' }),
    acknowledgedAt: z.string().optional(),
    replayable: z.boolean().meta({ description: `whether POST …/replay is accepted now (status ${REPLAYABLE_STATUSES.join(', ')})` }),
    history: z.array(historyEntrySchema).meta({ description: 'oldest first' }),
  })
  .meta({ id: 'InboundMessageDetail' });

export const messagePageSchema = z
  .object({
    items: z.array(messageItemSchema),
    nextCursor: z.string().optional().meta({ description: 'pass as `cursor` for the next page; absent on the last page' }),
  })
  .meta({ id: 'InboundMessagePage' });

export const replayAcceptedSchema = z
  .object({
    messageId: z.string(),
    jobId: z.string(),
    status: z.literal('queued'),
    replayCount: z.number().int(),
  })
  .meta({ id: 'ReplayAccepted' });

export type MessageItemView = z.infer<typeof messageItemSchema>;
export type MessageDetailView = z.infer<typeof messageDetailSchema>;

export function toItemView(item: MessageListItem): MessageItemView {
  return {
    id: item.id,
    channel: item.channel,
    clientId: item.clientId,
    tenant: item.tenant,
    summary: { ...item.summary },
    status: item.status,
    ...(item.reason ? { reason: item.reason } : {}),
    ...(item.code ? { code: item.code } : {}),
    ...(item.contentType ? { contentType: item.contentType } : {}),
    ...(item.charset ? { charset: item.charset } : {}),
    size: item.size,
    ...(item.truncated === true ? { truncated: true } : {}),
    receivedAt: item.receivedAt,
    updatedAt: item.updatedAt,
    duplicateCount: item.duplicateCount,
    replayCount: item.replayCount,
  };
}

export function toDetailView(record: MessageRecord): MessageDetailView {
  return {
    ...toItemView(record),
    payloadSha256: record.payloadSha256,
    ...(record.ackAt ? { acknowledgedAt: record.ackAt } : {}),
    replayable: REPLAYABLE_STATUSES.includes(record.status) && record.truncated !== true,
    history: record.history.map((entry) => ({
      at: entry.at,
      status: entry.status,
      ...(entry.reason ? { reason: entry.reason } : {}),
      ...(entry.code ? { code: entry.code } : {}),
      ...(entry.resources ? { resources: [...entry.resources] } : {}),
    })),
  };
}
