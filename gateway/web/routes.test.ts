import { readdirSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import { createLogger } from '../log.js';
import { isPublicWebPath, registerWebRoutes } from './routes.js';

const web = new Hono();
registerWebRoutes(web);

const STATIC = new URL('./static/', import.meta.url);
const staticFiles = readdirSync(STATIC);
const read = (name: string) => readFileSync(new URL(name, STATIC), 'utf8');

describe('web view files', () => {
  it('serves the same French page at /ui/ and /ui/patients/{id}', async () => {
    for (const path of ['/ui/', '/ui/patients/0d2c6f0e-5b9a', '/ui/patients/%3Cscript%3E']) {
      const res = await web.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain('<script type="module" src="/ui/app.js"></script>');
      // The page is a fixed shell: nothing from the URL is ever written into it.
      expect(html).not.toContain('script%3E');
    }
  });

  it('sends a CSP that allows this origin only, no inline script, no framing, no referrer', async () => {
    const res = await web.request('/ui/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves every module the page imports, and the style, with their content types', async () => {
    const imported = new Set(['app.js']);
    for (const file of staticFiles.filter((f) => f.endsWith('.js'))) {
      for (const match of read(file).matchAll(/from '\.\/([a-z-]+\.js)'/g)) imported.add(match[1]!);
    }
    for (const file of imported) {
      const res = await web.request(`/ui/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text()).toBe(read(file));
    }
    const css = await web.request('/ui/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves only the listed files: no path on disk is reachable', async () => {
    for (const path of ['/ui/assets.ts', '/ui/routes.js', '/ui/..%2Fassets.ts', '/ui/static/app.js', '/ui/../app.ts', '/ui/nope.js']) {
      expect((await web.request(path)).status, path).toBe(404);
    }
  });

  it('redirects /ui to /ui/', async () => {
    const res = await web.request('/ui');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/ui/');
  });

  it('builds every page from data with text nodes only (no innerHTML, no eval, no third-party URL)', () => {
    for (const file of staticFiles) {
      const text = read(file);
      expect(text, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
      expect(text, file).not.toMatch(/https?:\/\//);
    }
  });
});

describe('web view behind the gateway edge', () => {
  const app = createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry([{ id: 'dac', name: 'DAC', tenant: 't', apiKeySha256: sha256Hex('k'), scopes: [], hl7Facilities: [] }]),
    bodyLimit: 1000,
    checkReadiness: async () => ({}),
    routes: [registerWebRoutes],
  });

  it('is registered on the gateway app (reachable with a key until /ui/ is public)', async () => {
    const res = await app.request('/ui/', { headers: { authorization: 'Bearer k' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('names exactly the web view paths as public', () => {
    expect(['/ui', '/ui/', '/ui/app.js', '/ui/patients/1'].every(isPublicWebPath)).toBe(true);
    expect(['/uix', '/v1/ui/', '/fhir/ui/', '/', '/u'].some(isPublicWebPath)).toBe(false);
  });

  it('stays out of the OpenAPI document (it is not an API)', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/ui'))).toBe(false);
  });
});
