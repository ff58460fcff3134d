// @ts-check
/**
 * Calls Passerelle's API with the API key the reader entered. The key is kept in
 * `sessionStorage`: it lasts as long as the tab, is never written to a cookie, and is sent
 * only to this origin.
 */

const KEY = 'passerelle.apiKey';

/** @returns {string | null} */
export function storedKey() {
  return sessionStorage.getItem(KEY);
}

/** @param {string} key */
export function storeKey(key) {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

/** An API answer other than 2xx, with the French sentence to show. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** @type {Record<number, string>} */
const MESSAGES = {
  400: 'Requête refusée : identifiant ou paramètre invalide.',
  401: 'Clé d’API refusée (inconnue ou mal saisie).',
  403: 'Cette clé d’API n’a pas le droit de lecture (fhir.read).',
  404: 'Personne introuvable sur votre territoire.',
  429: 'Trop de requêtes : réessayez dans un instant.',
  502: 'Le serveur FHIR ne répond pas correctement. Réessayez plus tard.',
  503: 'Service momentanément indisponible.',
  504: 'Le serveur FHIR n’a pas répondu à temps.',
};

/**
 * GET `path` (same origin) with the key; the parsed JSON, or an `ApiError`.
 * @param {string} path
 * @param {string | null} [key]
 * @returns {Promise<any>}
 */
export async function getJson(path, key = storedKey()) {
  if (!key) throw new ApiError(401, 'Saisissez votre clé d’API.');
  let res;
  try {
    res = await fetch(path, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    // A key with characters no HTTP header can carry fails here, as does a network outage.
    throw new ApiError(0, 'Passerelle est injoignable, ou la clé contient des caractères invalides.');
  }
  if (!res.ok) throw new ApiError(res.status, MESSAGES[res.status] ?? `Erreur du service (${res.status}).`);
  return res.json();
}
