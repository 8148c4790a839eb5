/**
 * The settings the SMTP front reads per transaction, built from the service config and the policy
 * file as one frozen value. A reload builds a new one and swaps it whole, or keeps the old one.
 *
 * One size setting: `smtp.size` (service config) is both the SIZE advertised in EHLO and the
 * limit of the policy's message-size rule. It replaces `rules.message-size.maxBytes` of the policy
 * file, so the two can never disagree; a differing value in the policy file is logged as ignored.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { attachHomeRegistry, homeRegistryOf } from '../config/home-addresses.js';
import { defaultPolicyPath, loadPolicy } from '../config/load-policy.js';
import type { Policy } from '../config/policy-schema.js';
import type { ServiceConfig } from '../config/service-schema.js';
import { AuthUsers } from '../fronts/smtp/auth-users.js';
import type { FrontSettings } from '../fronts/smtp/front-context.js';
import { RelayNetworks } from '../fronts/smtp/relay-networks.js';

const DEFAULT_POLICY_FILE = 'config/policy.yaml';

export async function loadSettings(config: ServiceConfig, logger: Logger): Promise<FrontSettings> {
  const policy = await loadPolicy(policyFile(config));
  const authUsers = config.smtp.authUsersFile ? await AuthUsers.load(config.smtp.authUsersFile) : null;
  return Object.freeze({
    config,
    policy: withMessageSize(policy, config.smtp.size, logger),
    relay: new RelayNetworks(config.smtp.relayNetworks),
    authUsers,
  });
}

/** The configured policy file; the packaged default when the default path is not in the working directory. */
export function policyFile(config: ServiceConfig): string {
  const file = config.policy.file;
  return file === DEFAULT_POLICY_FILE && !existsSync(file) ? defaultPolicyPath() : file;
}

/** The policy with `rules.message-size.maxBytes = size`, frozen, home registry kept. */
export function withMessageSize(policy: Policy, size: number, logger?: Logger): Policy {
  const rule = policy.rules['message-size'];
  if (rule.maxBytes === size) return policy;
  logger?.warn(
    { policy: policy.source, policyMaxBytes: rule.maxBytes, size },
    'rules.message-size.maxBytes in the policy is replaced by smtp.size from the service config (one size setting drives both)',
  );
  const copy: Policy = Object.freeze({
    ...policy,
    rules: Object.freeze({ ...policy.rules, 'message-size': Object.freeze({ ...rule, maxBytes: size }) }),
  });
  attachHomeRegistry(copy, homeRegistryOf(policy));
  return copy;
}
