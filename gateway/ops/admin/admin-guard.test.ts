import { describe, expect, it } from 'vitest';
import { isCrossSite } from './admin-guard.js';
import { refusedDashboardAction } from './dashboard-policy.js';

describe('cross-site write detection', () => {
  const url = 'http://gw.example/admin/queues/api/queues/cases/retry/failed';

  it('trusts Fetch Metadata when the browser sends it', () => {
    expect(isCrossSite('same-origin', undefined, url, 'gw.example')).toBe(false);
    expect(isCrossSite('none', undefined, url, 'gw.example')).toBe(false);
    expect(isCrossSite('same-site', undefined, url, 'gw.example')).toBe(true);
    expect(isCrossSite('cross-site', 'http://gw.example', url, 'gw.example')).toBe(true);
  });

  it('compares Origin with Host otherwise, and lets API clients (no Origin) through', () => {
    expect(isCrossSite(undefined, 'http://gw.example', url, 'gw.example')).toBe(false);
    expect(isCrossSite(undefined, 'https://evil.example', url, 'gw.example')).toBe(true);
    expect(isCrossSite(undefined, 'null', url, 'gw.example')).toBe(true);
    expect(isCrossSite(undefined, undefined, url, 'gw.example')).toBe(false);
  });
});

describe('dashboard policy', () => {
  it('refuses the actions that lose or forge accepted work, and allows retry and clean', () => {
    expect(refusedDashboardAction('PUT', '/api/queues/:queueName/obliterate')).toBeDefined();
    expect(refusedDashboardAction('put', '/api/queues/:queueName/empty')).toBeDefined();
    expect(refusedDashboardAction('post', '/api/queues/:queueName/add')).toBeDefined();
    expect(refusedDashboardAction('patch', '/api/queues/:queueName/:jobId/update-data')).toBeDefined();
    expect(refusedDashboardAction('put', '/api/queues/:queueName/:jobId/retry')).toBeUndefined();
    expect(refusedDashboardAction('put', '/api/queues/:queueName/clean/:queueStatus')).toBeUndefined();
  });
});
