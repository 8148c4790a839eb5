/** What the SMTP front needs from the rest of mailwarden: custody's ports and the settings in force. */
import type { Policy } from '../../config/policy-schema.js';
import type { ServiceConfig } from '../../config/service-schema.js';
import type { CustodyContext } from '../../custody/ports.js';
import type { AuthUsers } from './auth-users.js';
import type { RelayNetworks } from './relay-networks.js';

/** Everything a reload can change, swapped as one value so a transaction sees one consistent set. */
export interface FrontSettings {
  readonly config: ServiceConfig;
  /** The policy in force, its message-size limit already set from `config.smtp.size`. */
  readonly policy: Policy;
  readonly relay: RelayNetworks;
  readonly authUsers: AuthUsers | null;
}

/** Custody (spool, dispatcher, logger) plus the settings in force. */
export interface FrontContext extends CustodyContext {
  settings(): FrontSettings;
}
