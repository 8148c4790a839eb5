/**
 * Every rule mailwarden knows, with the policy clause it enforces.
 * The id is what config, audit records, SMTP replies and the fixture manifest use.
 */
export const RULE_IDS = [
  'personal-attachment-type',
  'personal-media',
  'personal-brevity',
  'personal-size',
  'personal-recipients',
  'personal-marked',
  'personal-marked-low',
  'personal-encrypted',
  'executable-content',
  'macro-documents',
  'unscannable',
  'message-size',
  'auto-forward-outside',
  'business-to-home-address',
  'business-to-webmail',
  'marked-unencrypted',
  'marked-too-high',
  'marking-unclear',
  'mass-mail',
  'malformed',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(s: string): s is RuleId {
  return (RULE_IDS as readonly string[]).includes(s);
}
