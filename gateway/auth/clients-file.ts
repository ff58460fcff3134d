/**
 * The clients file (SPEC §7): who may call Passerelle, with which key, for which tenant and
 * with which scopes. YAML or JSON; validated once at start-up, a bad file stops start-up with
 * every faulty field named.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');

export const clientSchema = z.strictObject({
  /** Also the owner tag of everything this client writes. */
  id: slug,
  name: z.string().min(1),
  /** Territory: data never crosses tenants. */
  tenant: slug,
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256 (64 lowercase hex digits)').optional(),
  jwksUrl: z.url().optional(),
  publicKeys: z.array(z.record(z.string(), z.unknown())).optional(),
  scopes: z.array(z.string().min(1)).default([]),
  /** MSH-4 namespace ids this client may send HL7 v2 from. */
  hl7Facilities: z.array(z.string().min(1)).default([]),
  /** HTTP requests per second (sustained, and at once); unset: `RATE_LIMIT_PER_SECOND` / `RATE_LIMIT_BURST`. */
  rateLimit: z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().positive() }).optional(),
});

export type Client = z.infer<typeof clientSchema>;

const clientsFileSchema = z
  .strictObject({ clients: z.array(clientSchema) })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    const facilities = new Map<string, string>();
    file.clients.forEach((client, i) => {
      if (seen.has(client.id)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'id'], message: `duplicate client id "${client.id}"` });
      seen.set(client.id, i);
      client.hl7Facilities.forEach((facility, j) => {
        const owner = facilities.get(facility);
        if (owner && owner !== client.id) {
          ctx.addIssue({ code: 'custom', path: ['clients', i, 'hl7Facilities', j], message: `facility "${facility}" is already declared by client "${owner}"` });
        }
        facilities.set(facility, client.id);
      });
    });
  });

export class ClientsFileError extends Error {
  override name = 'ClientsFileError';
}

/** Parses the text of a clients file; JSON when it starts with `{`, YAML otherwise. */
export function parseClientsFile(text: string, source = 'clients file'): Client[] {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ClientsFileError(`${source}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = clientsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ClientsFileError(`${source}: ${problems.join('; ')}`);
  }
  return parsed.data.clients;
}

export async function loadClientsFile(path: string): Promise<Client[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ClientsFileError(`cannot read CLIENTS_FILE ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseClientsFile(text, path);
}
