import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../test-fixture.js';
import { canRead, canReplay, UNASSIGNED_TENANT, visibleTenants } from './message-access.js';

const fromChu = { tenant: 'doubs', clientId: 'chu-besancon' };
const fromPontarlier = { tenant: 'doubs', clientId: 'ch-pontarlier' };
const unassigned = { tenant: UNASSIGNED_TENANT, clientId: UNASSIGNED_TENANT };

describe('message access', () => {
  it('lets an admin list its own tenant and the unassigned messages, others their tenant', () => {
    expect(visibleTenants(CLIENTS.dacDoubs)).toEqual(['doubs', UNASSIGNED_TENANT]);
    expect(visibleTenants(CLIENTS.chuBesancon)).toEqual(['doubs']);
  });

  it('lets a sender read its own messages only', () => {
    expect(canRead(CLIENTS.chuBesancon, fromChu)).toBe(true);
    expect(canRead(CLIENTS.chuBesancon, fromPontarlier)).toBe(false);
    expect(canRead(CLIENTS.chuBesancon, unassigned)).toBe(false);
    expect(canRead(CLIENTS.ehpad, fromChu)).toBe(false);
  });

  it("never lets an admin read another tenant's messages", () => {
    expect(canRead(CLIENTS.dacDoubs, fromPontarlier)).toBe(true);
    expect(canRead(CLIENTS.dacDoubs, unassigned)).toBe(true);
    expect(canRead(CLIENTS.dacJura, fromChu)).toBe(false);
    // Same client id, other tenant: not the sender.
    expect(canRead({ ...CLIENTS.chuBesancon, tenant: 'jura' }, fromChu)).toBe(false);
  });

  it('lets a sender replay only with hl7v2.write, an admin whatever it may read', () => {
    expect(canReplay(CLIENTS.chuBesancon, fromChu)).toBe(true);
    expect(canReplay(CLIENTS.chPontarlier, fromPontarlier)).toBe(false);
    expect(canReplay(CLIENTS.dacDoubs, unassigned)).toBe(true);
    expect(canReplay(CLIENTS.dacJura, fromChu)).toBe(false);
  });
});
