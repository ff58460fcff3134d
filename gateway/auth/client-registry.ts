/**
 * Finds the client behind a credential. API keys are compared by their SHA-256 in constant
 * time, against every client, so the time taken says nothing about which key almost matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Client } from './clients-file.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ClientRegistry {
  private readonly keyHashes: { client: Client; hash: Buffer }[];
  private readonly byFacility = new Map<string, Client>();
  private readonly byId = new Map<string, Client>();

  constructor(readonly clients: readonly Client[]) {
    this.keyHashes = clients
      .filter((c): c is Client & { apiKeySha256: string } => typeof c.apiKeySha256 === 'string')
      .map((client) => ({ client, hash: Buffer.from(client.apiKeySha256, 'hex') }));
    for (const client of clients) {
      this.byId.set(client.id, client);
      for (const facility of client.hl7Facilities) this.byFacility.set(facility, client);
    }
  }

  /** The client whose API key this is, or undefined. */
  byApiKey(apiKey: string): Client | undefined {
    const presented = createHash('sha256').update(apiKey, 'utf8').digest();
    let found: Client | undefined;
    for (const { client, hash } of this.keyHashes) {
      // No early exit: every stored hash is compared.
      if (timingSafeEqual(presented, hash) && !found) found = client;
    }
    return found;
  }

  /** The client that declared this MSH-4 sending facility (namespace id), or undefined. */
  byHl7Facility(namespaceId: string): Client | undefined {
    return this.byFacility.get(namespaceId);
  }

  byClientId(id: string): Client | undefined {
    return this.byId.get(id);
  }
}

/** Whether a client holds a scope. `admin` does not imply the others: scopes are explicit. */
export function hasScope(client: Client, scope: string): boolean {
  return client.scopes.includes(scope);
}
