/**
 * The static files of the web view, read once at start-up (a handful of small files: no build
 * step, no framework), each with its content type. Only the files listed here are served: a
 * path is a key in this table, never a path on disk.
 */
import { readFileSync } from 'node:fs';

export interface WebAsset {
  readonly body: string;
  readonly contentType: string;
}

const STATIC = new URL('./static/', import.meta.url);

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'pathway.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

/** The page shell: the same HTML for `/ui/` and `/ui/patients/{id}` (the script reads the path). */
export const PAGE = 'index.html';

const assets: ReadonlyMap<string, WebAsset> = new Map(
  Object.entries(FILES).map(([name, contentType]) => [name, { body: readFileSync(new URL(name, STATIC), 'utf8'), contentType }]),
);

/** The asset called `name` (e.g. `app.js`), or undefined. */
export function webAsset(name: string): WebAsset | undefined {
  return assets.get(name);
}

/**
 * Headers of every web view answer. The CSP allows this origin only — scripts, styles and API
 * calls — with no inline script and no framing; `no-referrer` keeps patient ids in URLs from
 * leaking to any other site.
 */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Small files, changed with each release: revalidate rather than serve a stale script.
  'Cache-Control': 'no-cache',
};
