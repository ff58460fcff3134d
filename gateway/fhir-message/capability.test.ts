import { describe, expect, it } from 'vitest';
import { capabilityStatement } from '../fhir-facade/capability-statement.js';

describe('/fhir/metadata', () => {
  it('declares $process-message as a system operation with its R4 definition and the events it understands', () => {
    const operations = capabilityStatement({ publicBase: 'https://passerelle.example/fhir' }).rest?.[0]?.operation ?? [];
    const processMessage = operations.find((o) => o.name === 'process-message');
    expect(processMessage?.definition).toBe('http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message');
    expect(processMessage?.documentation).toContain('notification-admit or notification-discharge');
    expect(processMessage?.documentation).toContain('hl7v2.write');
  });
});
