/**
 * One page of messages across several tenants (an admin's own tenant and `_unassigned`),
 * newest first, with the message log's own cursor format. Message ids sort by receipt time in
 * every tenant alike, so one "after this id" cursor serves all of them.
 */
import type { ListPage, MessageLog, MessageStatus } from '../../../workers/message-log/index.js';
// Not re-exported by the package index (yet): the merged page needs to build a cursor for an
// id of its choosing, in the log's own format.
import { decodeCursor, encodeCursor } from '../../../workers/message-log/cursor.js';

export interface VisibleQuery {
  /** At least one tenant. */
  readonly tenants: readonly string[];
  readonly status?: MessageStatus;
  readonly clientId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Lists `query.tenants` as one stream. Each tenant is read one page deep; a tenant with more to
 * come has been read only down to its horizon (the id its cursor points after), so items below
 * the highest such horizon wait for the next page — paging then never skips nor repeats.
 * @throws OperationOutcomeError 400 for a bad `limit` or `cursor` (from the log).
 */
export async function listVisibleMessages(log: Pick<MessageLog, 'list'>, query: VisibleQuery): Promise<ListPage> {
  const { tenants, ...rest } = query;
  const [first] = tenants;
  if (first === undefined) return { items: [] };
  if (tenants.length === 1) return log.list({ tenant: first, ...rest });

  const pages = await Promise.all(tenants.map((tenant) => log.list({ tenant, ...rest })));
  const horizons = pages.flatMap((page) => (page.nextCursor ? [decodeCursor(page.nextCursor)] : []));
  const floor = horizons.reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  const merged = pages
    .flatMap((page) => page.items)
    .filter((item) => floor === undefined || item.id >= floor)
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items = merged.slice(0, query.limit);
  const more = merged.length > query.limit || horizons.length > 0;
  const last = items.at(-1)?.id ?? floor;
  return { items, nextCursor: more && last !== undefined ? encodeCursor(last) : undefined };
}
