import { describe, expect, it } from 'vitest';
import { ianaCharset, rawContentType, rawPayloadHeaders } from './raw-payload.js';

describe('raw payload headers', () => {
  it('names HL7 MSH-18 character sets by their IANA names', () => {
    expect(ianaCharset('8859/1')).toBe('ISO-8859-1');
    expect(ianaCharset('UNICODE UTF-8')).toBe('UTF-8');
    expect(ianaCharset('ISO-8859-1')).toBe('ISO-8859-1');
    expect(ianaCharset('bad charset; x=1')).toBeUndefined();
    expect(ianaCharset(undefined)).toBeUndefined();
  });

  it('keeps the stored media type, drops its parameters, and falls back to octet-stream', () => {
    expect(rawContentType('x-application/hl7-v2+er7', '8859/1')).toBe('x-application/hl7-v2+er7; charset=ISO-8859-1');
    expect(rawContentType('text/plain; charset=utf-8', 'UTF-8')).toBe('text/plain; charset=UTF-8');
    expect(rawContentType('not a type\r\nx-evil: 1', undefined)).toBe('application/octet-stream');
    expect(rawContentType(undefined, undefined)).toBe('application/octet-stream');
  });

  it('serves even a sender-chosen text/html as a sandboxed download', () => {
    const headers = rawPayloadHeaders({ id: 'msg-X', channel: 'fhir-message', contentType: 'text/html', charset: undefined, payloadSha256: '00'.repeat(32) });
    expect(headers).toMatchObject({
      'content-type': 'text/html',
      'content-disposition': 'attachment; filename="msg-X.json"',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });
});
