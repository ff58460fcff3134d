/**
 * `SqliteRepository`: the `FhirRepository` behind the embedded store, over `StoreEngine`.
 *
 * Concurrency: one SQLite connection, one FIFO lock. Each operation holds the lock; writes run
 * in a SAVEPOINT of a group transaction (see `group-commit.ts`) and are answered once that
 * commits; a failing write rolls back to its savepoint. `transaction(fn)`
 * hands `fn` a repository bound to one open transaction, so a whole FHIR transaction Bundle
 * (conditional entries included) commits or rolls back as one. `withTransaction(cb)` offers the
 * same to callers that keep using this repository inside `cb` (Medplum's own code): it finds
 * its transaction through AsyncLocalStorage.
 *
 * Unexpected failures (SQLite errors, bugs) surface as a 500 OperationOutcome without details;
 * the details go to the log.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  allOk,
  badRequest,
  created,
  generateId,
  multipleMatches,
  normalizeOperationOutcome,
  OperationOutcomeError,
  serverError,
} from '@medplum/core';
import type { SearchRequest, WithId } from '@medplum/core';
import { FhirRepository } from '@medplum/fhir-router';
import type { CreateResourceOptions, ReadHistoryOptions, RepositoryMode, UpdateResourceOptions } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Reference, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { applyPatch } from 'rfc6902';
import type { Operation } from 'rfc6902';
import type { Logger } from '../log.js';
import { BackgroundCheckpoints } from './checkpoints.js';
import { openDatabase } from './database.js';
import { StoreEngine } from './engine.js';
import { GroupCommit } from './group-commit.js';
import { typeHistory } from './history-type.js';
import type { TypeHistoryOptions } from './history-type.js';
import { Mutex } from './lock.js';
import { executeSearch, matchingRows } from './search.js';
import { ProfileRegistry } from './validation.js';

type Work<T> = (engine: StoreEngine) => T;

/** A repository that can run a callback inside one atomic transaction. */
export interface TransactionalRepository {
  transaction<T>(fn: (tx: FhirRepository) => Promise<T>): Promise<T>;
}

/** True when `repo` offers `transaction()` (the SQLite store does; MemoryRepository does not). */
export function isTransactional(repo: FhirRepository): repo is FhirRepository & TransactionalRepository {
  return typeof (repo as Partial<TransactionalRepository>).transaction === 'function';
}

function parseReference(reference: Reference): [string, string] {
  const parts = reference.reference?.split('/');
  if (parts?.length !== 2 || !parts[0] || !parts[1]) {
    throw new OperationOutcomeError(badRequest('Invalid reference'));
  }
  return [parts[0], parts[1]];
}

/** The FHIR operations, written once over an abstract way of reaching the engine. */
abstract class EngineRepository extends FhirRepository<undefined> {
  /** Runs `work` with the engine; `write` asks for a transaction. */
  protected abstract run<T>(work: Work<T>, write: boolean): Promise<T>;

  setMode(_mode: RepositoryMode): void {
    // One connection: there is no reader/writer split.
  }

  generateId(): string {
    return generateId();
  }

  createResource<T extends Resource>(resource: T, options?: CreateResourceOptions): Promise<WithId<T>> {
    return this.run((e) => e.create(resource, options?.assignedId ?? false), true);
  }

  updateResource<T extends Resource>(resource: T, options?: UpdateResourceOptions): Promise<WithId<T>> {
    return this.run((e) => e.update(resource, options?.ifMatch), true);
  }

  deleteResource(resourceType: string, id: string): Promise<void> {
    return this.run((e) => e.delete(resourceType, id), true);
  }

  patchResource<T extends Resource>(resourceType: T['resourceType'], id: string, patch: Operation[]): Promise<WithId<T>> {
    return this.run((e) => {
      const resource = e.read<T>(resourceType, id);
      let errors: unknown[];
      try {
        errors = applyPatch(resource, patch).filter(Boolean);
      } catch (err) {
        throw new OperationOutcomeError(normalizeOperationOutcome(err));
      }
      if (errors.length > 0) {
        throw new OperationOutcomeError(badRequest(errors.map((err) => (err as Error).message).join('; ')));
      }
      if (resource.resourceType !== resourceType || resource.id !== id) {
        throw new OperationOutcomeError(badRequest('A patch may not change resourceType or id'));
      }
      return e.update(resource);
    }, true);
  }

  readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    return this.run((e) => e.read<T>(resourceType, id), false);
  }

  readReference<T extends Resource>(reference: Reference<T>): Promise<WithId<T>> {
    return this.run((e) => {
      const [type, id] = parseReference(reference);
      return e.read<T>(type, id);
    }, false);
  }

  readReferences<T extends Resource>(references: readonly Reference<T>[]): Promise<(T | Error)[]> {
    return this.run(
      (e) =>
        references.map((reference) => {
          try {
            const [type, id] = parseReference(reference);
            return e.read<T>(type, id);
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      false,
    );
  }

  readHistory<T extends Resource>(resourceType: string, id: string, options?: ReadHistoryOptions): Promise<Bundle<WithId<T>>> {
    return this.run((e) => e.history<T>(resourceType, id, options ?? {}), false);
  }

  readVersion<T extends Resource>(resourceType: string, id: string, vid: string): Promise<WithId<T>> {
    return this.run((e) => e.readVersion<T>(resourceType, id, vid), false);
  }

  /** `GET <Type>/_history`: see `history-type.ts`. */
  readTypeHistory(resourceType: string, options: TypeHistoryOptions): Promise<Bundle> {
    return this.run((e) => typeHistory(e, resourceType, options), false);
  }

  search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    return this.run((e) => executeSearch(e, searchRequest), false);
  }

  /**
   * As Medplum's `conditionalUpdate` (same outcomes and messages), minus its detours: one
   * query finds the match and its current version, which the update then uses as read, with
   * no search Bundle built in between. Search and write share one transaction (`run(…, true)`).
   */
  override conditionalUpdate<T extends Resource>(
    resource: T,
    search: SearchRequest,
    options?: CreateResourceOptions & UpdateResourceOptions,
  ): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    // A PUT without a body reaches here with no resource: a 400, not a TypeError (500).
    if (!resource || typeof resource !== 'object') return Promise.reject(new OperationOutcomeError(badRequest('Missing resource')));
    if (search.resourceType !== resource.resourceType) {
      return Promise.reject(new OperationOutcomeError(badRequest('Search type must match resource type for conditional update')));
    }
    return this.run((e) => {
      const matches = matchingRows(e, { ...search, sortRules: undefined }, 2);
      const [match] = matches;
      if (!match) {
        if (resource.id && !options?.assignedId) {
          throw new OperationOutcomeError(badRequest('Cannot perform create as update with client-assigned ID', `${resource.resourceType}.id`));
        }
        return { resource: e.create(resource, options?.assignedId ?? false), outcome: created };
      }
      if (matches.length > 1) throw new OperationOutcomeError(multipleMatches);
      if (resource.id && resource.id !== match.id) {
        throw new OperationOutcomeError(badRequest('Resource ID did not match resolved ID', `${resource.resourceType}.id`));
      }
      return { resource: e.updateCurrent({ ...resource, id: match.id }, match, options?.ifMatch), outcome: allOk };
    }, true);
  }

  async searchByReference<T extends Resource>(
    searchRequest: SearchRequest<T>,
    referenceField: string,
    references: string[],
  ): Promise<Record<string, WithId<T>[]>> {
    const results: Record<string, WithId<T>[]> = {};
    for (const reference of references) {
      const filters = [...(searchRequest.filters ?? []), { code: referenceField, operator: 'eq' as const, value: reference }];
      results[reference] = await this.searchResources({ ...searchRequest, filters });
    }
    return results;
  }
}

/** A repository bound to one open transaction (see `SqliteRepository.transaction`). */
class TransactionRepository extends EngineRepository {
  private open = true;

  constructor(private readonly engine: StoreEngine) {
    super();
  }

  close(): void {
    this.open = false;
  }

  /** Runs engine work inside this transaction. */
  exec<T>(work: Work<T>): Promise<T> {
    return this.run(work);
  }

  protected run<T>(work: Work<T>): Promise<T> {
    if (!this.open) return Promise.reject(new OperationOutcomeError(badRequest('Transaction already finished')));
    try {
      return Promise.resolve(work(this.engine));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    // Already inside the transaction: nested work joins it (a failure aborts the whole).
    return callback(undefined);
  }
}

export interface SqliteRepositoryOptions {
  /** Folder holding the SQLite file (DATA_DIR). */
  dataDir: string;
  logger?: Logger;
}

/** The embedded store's repository, persisted in SQLite under `dataDir`. */
export class SqliteRepository extends EngineRepository implements TransactionalRepository {
  private readonly lock = new Mutex();
  private readonly current = new AsyncLocalStorage<TransactionRepository>();
  private readonly profiles = new ProfileRegistry();
  private readonly engine: StoreEngine;
  private readonly group: GroupCommit;
  private readonly checkpoints: BackgroundCheckpoints;
  private closed = false;

  private constructor(
    options: SqliteRepositoryOptions,
    private readonly logger?: Logger,
  ) {
    super();
    this.engine = new StoreEngine(openDatabase(options.dataDir), this.profiles);
    this.checkpoints = BackgroundCheckpoints.start(this.engine.db.name, (message) => {
      this.logger?.warn({ err: { message } }, 'fhir store: background checkpoint failed');
    });
    this.group = new GroupCommit(this.engine, this.lock, (err) => this.unexpected(err));
  }

  /** Opens (or creates) the store in `options.dataDir`. R4 definitions must be loaded first. */
  static open(options: SqliteRepositoryOptions): SqliteRepository {
    return new SqliteRepository(options, options.logger);
  }

  /** Registers a profile (StructureDefinition with snapshot) used to validate resources claiming it in `meta.profile`. */
  registerProfile(sd: StructureDefinition): void {
    this.profiles.register(sd);
  }

  /**
   * Waits for the operation in progress (a transaction may be half done), commits the open
   * group and closes the database; later calls fail.
   */
  close(): Promise<void> {
    return this.lock.run(async () => {
      if (this.closed) return;
      this.closed = true;
      this.group.flush();
      await this.checkpoints.stop();
      this.engine.db.close();
    });
  }

  private unexpected(err: unknown): Error {
    if (err instanceof OperationOutcomeError) return err;
    const error = err instanceof Error ? err : new Error(String(err));
    this.logger?.error({ err: { name: error.name, message: error.message } }, 'fhir store: storage error');
    return new OperationOutcomeError(serverError(new Error('storage error')));
  }

  protected run<T>(work: Work<T>, write: boolean): Promise<T> {
    const tx = this.current.getStore();
    if (tx) return tx.exec(work);
    if (write) return this.transaction((t) => (t as TransactionRepository).exec(work));
    return this.lock.run(() => {
      this.assertOpen();
      try {
        // A read must not see writes that are not committed yet.
        this.group.flush();
        return work(this.engine);
      } catch (err) {
        throw this.unexpected(err);
      }
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new OperationOutcomeError(serverError(new Error('store closed')));
  }

  /**
   * Runs `fn` inside one SQLite transaction with a repository bound to it: everything `fn`
   * does through `tx` commits together, or nothing does if `fn` throws.
   */
  async transaction<T>(fn: (tx: FhirRepository) => Promise<T>): Promise<T> {
    const inner = this.current.getStore();
    if (inner) return fn(inner);
    const { result, committed } = await this.lock.run(async () => {
      this.assertOpen();
      const tx = new TransactionRepository(this.engine);
      try {
        const committed = this.group.join();
        this.engine.savepoint();
        try {
          const result = await fn(tx);
          this.engine.release();
          return { result, committed };
        } catch (err) {
          this.engine.rollbackToSavepoint();
          throw err;
        }
      } catch (err) {
        throw this.unexpected(err);
      } finally {
        tx.close();
      }
    });
    await committed;
    return result;
  }

  withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    if (this.current.getStore()) return callback(undefined);
    return this.transaction((tx) => this.current.run(tx as TransactionRepository, () => callback(undefined)));
  }

  // Conditional operations search then write: both must happen in one transaction, or two
  // concurrent requests could both "not find" and both create.
  override conditionalCreate<T extends Resource>(resource: T, search: SearchRequest<T>, options?: CreateResourceOptions): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    return this.transaction((tx) => tx.conditionalCreate(resource, search, options));
  }

  override conditionalUpdate<T extends Resource>(resource: T, search: SearchRequest, options?: CreateResourceOptions & UpdateResourceOptions): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    return this.transaction((tx) => tx.conditionalUpdate(resource, search, options));
  }

  override conditionalDelete(search: SearchRequest): Promise<void> {
    return this.transaction((tx) => tx.conditionalDelete(search));
  }

  override conditionalPatch(search: SearchRequest, patch: Operation[]): Promise<WithId<Resource>> {
    return this.transaction((tx) => tx.conditionalPatch(search, patch));
  }
}
