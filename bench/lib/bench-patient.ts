/** The Patients the store benchmarks write: keyed on an INS, with content that changes with `round`. */

/** INS-NIR system: the business identifier conditional writes and searches key on. */
export const INS = 'urn:oid:1.2.250.1.213.1.4.8';

/** Patient `i`; its telephone number changes with `round`, so each round's update changes content. */
export function benchPatient(i: number, round = 0): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    identifier: [
      { system: INS, value: String(100_000_000_000 + i) },
      { system: 'urn:oid:1.2.250.1.71.4.2.7', value: `IPP${i}` },
    ],
    name: [{ family: `Nom${i}`, given: ['Marie', 'Anne'] }],
    gender: i % 2 ? 'female' : 'male',
    birthDate: `19${String(30 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    address: [{ line: [`${i % 200} rue de la Paix`], city: 'Lyon', postalCode: '69001' }],
    telecom: [{ system: 'phone', value: `06${String(10_000_000 + round).slice(-8)}` }],
    managingOrganization: { reference: `Organization/dac-${i % 50}` },
  };
}
