import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ClientRegistry, sha256Hex } from './client-registry.js';
import { ClientsFileError, parseClientsFile } from './clients-file.js';

const yaml = `
clients:
  - id: dac-doubs
    name: DAC du Doubs
    tenant: doubs
    apiKeySha256: ${sha256Hex('k1')}
    scopes: [cases.write, fhir.read]
  - id: chu-besancon
    name: CHU
    tenant: doubs
    apiKeySha256: ${sha256Hex('k2')}
    scopes: [hl7v2.write]
    hl7Facilities: [CHU_BESANCON]
`;

describe('clients file', () => {
  it('reads YAML and finds clients by API key and by HL7 facility', () => {
    const registry = new ClientRegistry(parseClientsFile(yaml));
    expect(registry.byApiKey('k1')?.id).toBe('dac-doubs');
    expect(registry.byApiKey('k2')?.id).toBe('chu-besancon');
    expect(registry.byApiKey('k3')).toBeUndefined();
    expect(registry.byHl7Facility('CHU_BESANCON')?.tenant).toBe('doubs');
    expect(registry.byHl7Facility('OTHER')).toBeUndefined();
  });

  it('reads JSON too', () => {
    const clients = parseClientsFile(JSON.stringify({ clients: [{ id: 'a', name: 'A', tenant: 't' }] }));
    expect(clients[0]).toMatchObject({ id: 'a', scopes: [], hl7Facilities: [] });
  });

  it('names every faulty field', () => {
    const bad = 'clients:\n  - id: Bad Id\n    tenant: doubs\n    apiKeySha256: xyz\n';
    expect(() => parseClientsFile(bad)).toThrow(ClientsFileError);
    try {
      parseClientsFile(bad);
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('clients.0.id');
      expect(message).toContain('clients.0.name');
      expect(message).toContain('clients.0.apiKeySha256');
    }
  });

  it('refuses one facility declared by two clients', () => {
    const text = JSON.stringify({ clients: [
      { id: 'a', name: 'A', tenant: 't', hl7Facilities: ['F'] },
      { id: 'b', name: 'B', tenant: 't', hl7Facilities: ['F'] },
    ] });
    expect(() => parseClientsFile(text)).toThrow(/clients\.1\.hl7Facilities\.0/);
  });

  it('ships demo clients whose documented keys match their hashes', async () => {
    const text = await readFile(new URL('../demo-clients.yaml', import.meta.url), 'utf8');
    const registry = new ClientRegistry(parseClientsFile(text));
    for (const [key, id] of [['demo-dac-key', 'dac-doubs'], ['demo-hospital-key', 'chu-besancon'], ['demo-ehpad-key', 'ehpad-tilleuls'], ['demo-jura-key', 'dac-jura'], ['demo-admin-key', 'ops']]) {
      expect(registry.byApiKey(key as string)?.id).toBe(id);
    }
  });
});
