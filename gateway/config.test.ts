import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRole } from './config.js';

describe('configuration', () => {
  it('has defaults that need no environment at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 8080, MLLP_PORT: 2575, REDIS_URL: 'redis://127.0.0.1:6379', DATA_DIR: './data' });
    expect(config.FHIR_BASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
  });

  it('stops on a bad value with one line naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^invalid configuration: PORT: /);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud', MLLP_PORT: '70000' })).toThrow(/LOG_LEVEL.*MLLP_PORT|MLLP_PORT.*LOG_LEVEL/);
  });

  it('polls the change feed every 5 s unless set, 0 turning it off, and refuses a negative interval', () => {
    expect(loadConfig({}).CHANGE_FEED_INTERVAL_MS).toBe(5000);
    expect(loadConfig({ CHANGE_FEED_INTERVAL_MS: '0' }).CHANGE_FEED_INTERVAL_MS).toBe(0);
    expect(() => loadConfig({ CHANGE_FEED_INTERVAL_MS: '-1' })).toThrow(/CHANGE_FEED_INTERVAL_MS/);
    expect(() => loadConfig({ CHANGE_FEED_OVERLAP_MS: 'soon' })).toThrow(/CHANGE_FEED_OVERLAP_MS/);
  });

  it('takes production HL7 messages only unless HL7_PROCESSING_IDS says otherwise', () => {
    expect(loadConfig({}).HL7_PROCESSING_IDS).toEqual(['P']);
    expect(loadConfig({ HL7_PROCESSING_IDS: 'T,D' }).HL7_PROCESSING_IDS).toEqual(['T', 'D']);
    expect(() => loadConfig({ HL7_PROCESSING_IDS: 'P, T' })).toThrow(/HL7_PROCESSING_IDS/);
    expect(() => loadConfig({ HL7_PROCESSING_IDS: 'X' })).toThrow(/HL7_PROCESSING_IDS/);
  });

  it('decides the change feed from the server (auto) unless CHANGE_FEED says on or off', () => {
    expect(loadConfig({}).CHANGE_FEED).toBe('auto');
    expect(loadConfig({ CHANGE_FEED: 'on' }).CHANGE_FEED).toBe('on');
    expect(loadConfig({ CHANGE_FEED: 'off' }).CHANGE_FEED).toBe('off');
    expect(() => loadConfig({ CHANGE_FEED: 'yes' })).toThrow(/CHANGE_FEED: /);
  });

  it('reads --role in both spellings and refuses unknown roles', () => {
    expect(parseRole([])).toBe('all');
    expect(parseRole(['--role', 'worker'])).toBe('worker');
    expect(parseRole(['--role=mllp'])).toBe('mllp');
    expect(() => parseRole(['--role', 'boss'])).toThrow(/expected one of all, gateway, worker, mllp/);
  });
});
