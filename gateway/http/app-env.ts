import type { Client } from '../auth/clients-file.js';
import type { Logger } from '../log.js';

/** What every request carries once it has passed the edge. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Request-scoped logger: every line carries the request id (and the client id once known). */
    log: Logger;
    /** Set by the auth middleware on every authenticated route. */
    client: Client;
  };
}
