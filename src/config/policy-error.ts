/**
 * The one error type for a policy that cannot be used. Start-up prints `message` and stops;
 * programs branch on `code`, which never changes between releases.
 */

/**
 * - POLICY_UNREADABLE: the file could not be read (missing, permissions, not UTF-8).
 * - POLICY_SYNTAX: the file is not valid YAML.
 * - POLICY_INVALID: valid YAML, but a key is unknown, has the wrong type, or names something that does not exist.
 */
export type PolicyErrorCode = 'POLICY_UNREADABLE' | 'POLICY_SYNTAX' | 'POLICY_INVALID';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly code: PolicyErrorCode,
    /** The policy file as the caller named it. */
    readonly file: string,
    /** One line per problem, each naming the key (or line) and what was expected. */
    readonly problems: readonly string[],
  ) {
    super(formatPolicyError(code, file, problems));
  }
}

function formatPolicyError(code: PolicyErrorCode, file: string, problems: readonly string[]): string {
  if (code === 'POLICY_UNREADABLE') return `cannot read policy file ${file}: ${problems.join('; ')}`;
  return [`invalid policy file ${file}:`, ...problems.map((p) => `  ${p}`)].join('\n');
}
