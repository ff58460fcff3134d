/**
 * Opaque list cursors. A cursor is the last id of the previous page, wrapped so that clients do
 * not build their own (the format may change, e.g. to carry a direction) — and checked on the
 * way back, because it comes from a query string and ends up in a Redis range.
 */
import { OperationOutcomeError, badRequest } from '@medplum/core';
import { isMessageId } from './message-id.js';

const VERSION = 'v1';

/** Cursor pointing after `lastId` (exclusive). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`${VERSION}.${lastId}`, 'utf8').toString('base64url');
}

/** The last id seen, or a 400 `OperationOutcomeError` naming `cursor` when it is not ours. */
export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [version, lastId] = text.split('.', 2);
  if (version !== VERSION || lastId === undefined || !isMessageId(lastId)) {
    throw new OperationOutcomeError(badRequest('Invalid cursor', 'cursor'));
  }
  return lastId;
}
