import type { Policy } from '../config/policy-schema.js';

/** What parsing and content analysis need from the policy: limits and the marking scheme. */
export interface ParseOptions {
  readonly inspection: Policy['inspection'];
  readonly markings: Policy['markings'];
  /** Aborts parsing (time limit): the parse rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}
