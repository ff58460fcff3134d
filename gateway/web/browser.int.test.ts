/**
 * The web view in a real browser (headless Chromium driven by playwright-core) against the
 * product running as its own process: a coordinator opens `/ui/`, enters the API key and the
 * person's id, and reads the pathway — plan, activities with their contributor, team,
 * highlighted discharge task — with no console error and no request leaving the origin.
 *
 * Until the edge makes `/ui/` public, the browser talks to a small front on port 0 that serves
 * the same files (registerWebRoutes) and passes every other request to the gateway unchanged;
 * once `/ui/` answers without a credential, the browser talks to the gateway directly.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { CarePlan, Encounter } from '@medplum/fhirtypes';
import { Hono } from 'hono';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dischargeTask, reassessmentActivity } from '../../mappings/adt/index.js';
import { CODE_SYSTEM, FR_SYSTEM, HL7_SYSTEM } from '../../profiles/canonical.js';
import { startGatewayProcess, type GatewayProcess } from '../../test/helpers/gateway-process.js';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { registerWebRoutes } from './routes.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAC = { authorization: 'Bearer demo-dac-key', 'content-type': 'application/json' };
/** A label a client could send: must show as text, never run. */
const HOSTILE_LABEL = '<img src=x onerror="window.__xss=1">Atelier mémoire';

let gw: GatewayProcess;
let front: ServerType | undefined;
let base: string;
let browser: Browser;
let shots: string;
let patientId: string;

/** A front serving the web view and passing everything else to the gateway, as-is. */
function startFront(target: string): Promise<{ server: ServerType; url: string }> {
  const app = new Hono();
  registerWebRoutes(app);
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('host');
    const method = c.req.method;
    const res = await fetch(`${target}${url.pathname}${url.search}`, {
      method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: await c.req.arrayBuffer() }),
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
}

/** What the hospital's discharge writes (HL7 worker builders): a stay, its Task, the plan activity. */
async function writeDischarge(fhir: FhirClient, carePlanId: string): Promise<void> {
  const meta = { tag: [{ system: CODE_SYSTEM.tenant, code: 'doubs' }, { system: CODE_SYSTEM.owner, code: 'chu-besancon' }] };
  const stay = await fhir.create<Encounter>({
    resourceType: 'Encounter', meta, status: 'finished', class: { system: HL7_SYSTEM.v3ActCode, code: 'IMP', display: 'inpatient encounter' },
    subject: { reference: `Patient/${patientId}` }, period: { start: '2024-05-02T10:00:00+02:00', end: '2024-05-09T15:30:00+02:00' },
    hospitalization: {
      dischargeDisposition: { coding: [{ system: CODE_SYSTEM.exitMode, code: '8', display: 'Retour au domicile' }] },
      destination: { identifier: { system: FR_SYSTEM.finess, value: '250098761' } },
    },
  });
  const dac = (await fhir.searchOne('Organization', { identifier: `${FR_SYSTEM.finess}|250012341` }))!;
  await fhir.create(dischargeTask({
    encounterRef: { reference: `Encounter/${stay.id}` }, patientRef: { reference: `Patient/${patientId}` },
    ownerOrgRef: { reference: `Organization/${dac.id}` }, tenant: 'doubs', clientId: 'chu-besancon', visitKey: 'V1',
    now: '2024-05-09T15:31:00+02:00', dischargeDateTime: '2024-05-09T15:30:00+02:00',
  }));
  const plan = await fhir.read('CarePlan', carePlanId);
  const activity = reassessmentActivity({ clientId: 'chu-besancon', visitKey: 'V1', dischargeDateTime: '2024-05-09T15:30:00+02:00', performerRef: { reference: `Organization/${dac.id}` } });
  await fhir.update<CarePlan>({ ...plan, activity: [...(plan.activity ?? []), activity] });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Chromium (apt install chromium) to run the browser test`);
  shots = await mkdtemp(join(tmpdir(), 'passerelle-ui-'));
  gw = await startGatewayProcess();

  const dupont = JSON.parse(await readFile(new URL('../../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as { plan: { actions: unknown[] } };
  dupont.plan.actions.push({ id: 'A3', label: HOSTILE_LABEL, kind: 'prevention', status: 'completed' });
  const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT?wait=true`, { method: 'PUT', headers: DAC, body: JSON.stringify(dupont) });
  const written = (await res.json()) as { resources: string[] };
  if (res.status !== 200) throw new Error(`PUT case failed: ${res.status}`);
  patientId = written.resources.find((r) => r.startsWith('Patient/'))!.split('/')[1]!;
  const fhir = new FhirClient({ baseUrl: gw.fhirBaseUrl });
  try {
    await writeDischarge(fhir, written.resources.find((r) => r.startsWith('CarePlan/'))!.split('/')[1]!);
  } finally {
    await fhir.close();
  }

  const publicUi = (await fetch(`${gw.httpUrl}/ui/`)).status === 200;
  if (publicUi) {
    base = gw.httpUrl;
  } else {
    const started = await startFront(gw.httpUrl);
    front = started.server;
    base = started.url;
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (front) await new Promise<void>((resolve) => front!.close(() => resolve()));
  await gw?.destroy();
  if (shots) await rm(shots, { recursive: true, force: true });
});

/** A fresh page that records console errors, page errors and any request leaving the origin. */
async function openPage(): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  return { page, errors, foreign };
}

describe('web view in Chromium', () => {
  it('opens a pathway from /ui/ with the API key and the patient id, and shows plan, activities, team and the discharge', async () => {
    const { page, errors, foreign } = await openPage();
    await page.goto(`${base}/ui/`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');

    await page.getByLabel('Clé d’API').fill('demo-dac-key');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('DAC du Doubs (démo)').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('passerelle.apiKey'))).toBe('demo-dac-key');

    // The tenant's list offers the person too.
    await page.getByRole('link', { name: 'Jeanne Marie DUPONT' }).waitFor();

    await page.getByLabel('Identifiant de la personne (Patient FHIR)').fill(patientId);
    await page.getByRole('button', { name: 'Afficher le parcours' }).click();
    await page.waitForURL(`${base}/ui/patients/${patientId}`);

    await page.getByRole('heading', { level: 1, name: 'Jeanne Marie DUPONT' }).waitFor();
    await page.getByRole('heading', { name: 'PPS de Mme DUPONT' }).waitFor();

    const kine = page.locator('li.activity', { hasText: 'Kinésithérapie 2 fois par semaine' });
    expect(await kine.textContent()).toContain('ajoutée par DAC du Doubs (démo)');
    const reassessment = page.locator('li.activity', { hasText: 'Réévaluation du PPS' });
    expect(await reassessment.textContent()).toContain('ajoutée par CHU de Besançon (démo)');
    // Grouped by status, under headings that count them.
    expect(await page.getByRole('heading', { name: 'En cours (1)' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Non commencée (1)' }).count()).toBe(1);

    const gp = page.locator('li.member', { hasText: 'Médecin traitant' });
    expect(await gp.textContent()).toContain('Luc BERNARD');

    const discharge = page.locator('li.task--discharge');
    expect(await discharge.count()).toBe(1);
    expect(await discharge.textContent()).toContain('Sortie d’hospitalisation');
    expect(await page.locator('li.stay').textContent()).toContain('Retour au domicile');

    // A client's text is shown as text: the hostile label appears verbatim and runs nothing.
    expect(await page.getByText(HOSTILE_LABEL, { exact: true }).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);

    const shot = join(shots, 'pathway.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);

    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('asks for the key on a pathway link opened in a new tab, then shows it', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${base}/ui/patients/${patientId}`);
    await page.getByRole('heading', { level: 1, name: 'Connexion requise' }).waitFor();
    await page.getByLabel('Clé d’API').fill('demo-dac-key');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'PPS de Mme DUPONT' }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('tells a reader of another territory that the person is not found, and a wrong key that it is refused', async () => {
    const { page } = await openPage();
    await page.goto(`${base}/ui/`);
    await page.getByLabel('Clé d’API').fill('not-a-key');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Clé d’API refusée');

    await page.getByLabel('Clé d’API').fill('demo-jura-key');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('DAC du Jura').waitFor();
    await page.goto(`${base}/ui/patients/${patientId}`);
    expect(await page.getByRole('alert').textContent()).toBe('Personne introuvable sur votre territoire.');
    expect(await page.locator('body').textContent()).not.toContain('DUPONT');
    await page.context().close();
  });
});
