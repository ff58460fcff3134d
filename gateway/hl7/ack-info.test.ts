import { describe, expect, it } from 'vitest';
import { buildAck } from '../../mappings/hl7/ack.js';
import { encodeHl7 } from '../../mappings/hl7/encode.js';
import { parseHl7 } from '../../mappings/hl7/parse.js';
import { ackInfo, peekAcceptAckType } from './ack-info.js';

function ackOf(message: string, status: 'accept' | 'error' | 'reject') {
  const parsed = parseHl7(message);
  if (!parsed.ok) throw new Error(parsed.reason);
  const built = buildAck({ status, header: parsed.header, now: new Date(0), controlId: 'ACK1' });
  return encodeHl7(built.text, built.charset);
}

const MSH = 'MSH|^~\\&|APP|CH_EXEMPLE|PASSERELLE|DAC|20250110091500||ADT^A01^ADT_A01|C1|P|2.5';

describe('ackInfo', () => {
  it('reads MSA-1 and the charset of an ACK we built', () => {
    expect(ackInfo(ackOf(`${MSH}|||||FRA|8859/1\rEVN|A01`, 'reject'))).toEqual({ code: 'AR', charset: 'iso-8859-1' });
    expect(ackInfo(ackOf(`${MSH}|||||FRA|UNICODE UTF-8\rEVN|A01`, 'accept'))).toEqual({ code: 'AA', charset: 'utf-8' });
    expect(ackInfo(ackOf(`${MSH}|||AL|NE\rEVN|A01`, 'error'))).toEqual({ code: 'CE', charset: 'utf-8' });
  });

  it('says nothing of bytes without an MSA', () => {
    expect(ackInfo(Buffer.from('garbage'))).toEqual({ code: undefined, charset: 'utf-8' });
  });
});

describe('peekAcceptAckType', () => {
  it('reads MSH-15 of a message, first component, with its own delimiters', () => {
    expect(peekAcceptAckType(Buffer.from(`${MSH}|||NE|AL\rEVN|A01`))).toBe('NE');
    expect(peekAcceptAckType(Buffer.from(`${MSH.replaceAll('|', '#')}###ER^x\rEVN#A01`))).toBe('ER');
    expect(peekAcceptAckType(Buffer.from(`${MSH}\rEVN|A01`))).toBe('');
    expect(peekAcceptAckType(Buffer.from('EVN|A01'))).toBe('');
    expect(peekAcceptAckType(Buffer.alloc(0))).toBe('');
  });
});
