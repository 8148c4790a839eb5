/**
 * Schema of the policy file (config/policy.yaml). Strict: an unknown key is an error.
 * Defaults follow the MPS Personal Use SOP v2.4 and WMP Inf/27; see config/policy.yaml for the why of each.
 */
import { z } from 'zod';

const action = z.enum(['reject', 'quarantine', 'monitor']);
const bytes = z.number().int().nonnegative();
/** Addresses ('alex@example.org') or whole domains ('@example.org') a rule does not apply to. */
const exempt = z.array(z.string().min(1)).default([]);

const rule = <T extends z.ZodRawShape>(defaultAction: z.infer<typeof action>, extra: T) =>
  z.strictObject({ action: action.default(defaultAction), exempt, ...extra });

export const policySchema = z.strictObject({
  /** Whole-policy monitor mode: record what would have happened and accept. */
  mode: z.enum(['enforce', 'monitor']).default('enforce'),

  domains: z.strictObject({
    /** The organisation's own domains (subdomains included). */
    internal: z.array(z.string()).default(['met.police.uk']),
    /** Accredited secure government networks (subdomains included, matched on label boundaries). */
    secure: z.array(z.string()).default([]),
    /** Personal webmail providers. */
    webmail: z.array(z.string()).default([]),
  }),

  staff: z
    .strictObject({
      /** Optional file of registered staff home addresses: one 'staff@org home@provider' pair per line. */
      homeAddressesFile: z.string().nullable().default(null),
      /** Recognise a webmail address carrying the sender's first name or initial and surname as a home address. */
      guessHomeAddresses: z.boolean().default(true),
    })
    .prefault({}),

  markings: z
    .strictObject({
      /** Rank table: higher is more sensitive. Names are matched case-sensitively in subjects, case-insensitively elsewhere. */
      levels: z
        .array(z.strictObject({ name: z.string().min(1), rank: z.number().int() }))
        .min(1),
      /** Purview (msip_labels) label names or GUIDs mapped to a level name from `levels`. */
      purviewLabels: z.record(z.string(), z.string()).default({}),
      /**
       * Levels whose word is also everyday commercial usage (a bare 'CONFIDENTIAL' line, 'Classification:
       * Confidential'): outside the subject, marking headers and 'Protective Marking:' lines they are held
       * for review (rule marking-unclear) rather than acted on. Names not in `levels` are ignored.
       */
      ambiguousLevels: z.array(z.string()).default(['CONFIDENTIAL']),
      /** Office custom document property names that carry a marking (case-insensitive). */
      documentProperties: z
        .array(z.string())
        .default(['Classification', 'ProtectiveMarking', 'Protective Marking', 'SecurityClassification', 'Security Classification']),
    }),

  inspection: z
    .strictObject({
      /** Most MIME parts (outer and attached messages together) before parsing stops with a `malformed` finding. */
      maxParts: z.number().int().positive().default(1000),
      /** Deepest MIME nesting. */
      maxMimeDepth: z.number().int().positive().default(50),
      /** Largest header block of one part, in bytes. */
      maxHeaderBytes: bytes.default(1024 * 1024),
      /** Most characters of body text kept for checks. */
      maxBodyTextChars: z.number().int().positive().default(1024 * 1024),
      /** Parts up to this size are inspected in memory; larger ones go to a temp file. */
      memoryPartBytes: bytes.default(4 * 1024 * 1024),
      /** Directory for temp files ('' = the OS temp dir). */
      tempDir: z.string().default(''),
      /** Most bytes of temp files one message may use. */
      tempQuotaBytes: bytes.default(256 * 1024 * 1024),
      /**
       * Time limit for inspecting one message, counted while inspection keeps the sender waiting
       * (it holds back the data, or the data has ended and no verdict is there yet). Past it the
       * fronts answer a temporary failure (SMTP 451 4.3.0) and `check` exits 3. The one time limit:
       * the service config has none of its own.
       */
      timeoutMs: z.number().int().positive().default(30_000),
      /** A bare CR or bare LF in the message data: rewritten to CRLF ('normalise') or refused ('reject', SMTP 550 5.6.0). */
      bareLineEndings: z.enum(['normalise', 'reject']).default('normalise'),
      /** A NUL byte in the message data: deleted ('strip') or refused ('reject', SMTP 550 5.6.0). */
      nulBytes: z.enum(['strip', 'reject']).default('strip'),
      archive: z
        .strictObject({
          maxDepth: z.number().int().nonnegative().default(5),
          maxMembers: z.number().int().positive().default(1000),
          maxExpandedBytes: bytes.default(100 * 1024 * 1024),
          /** Largest expanded/compressed ratio of one member before it counts as a bomb. */
          maxRatio: z.number().positive().default(100),
        })
        .prefault({}),
    })
    .prefault({}),

  rules: z
    .strictObject({
      'personal-attachment-type': rule('reject', {
        /** True types allowed on personal mail (macro-free only). */
        allowedTypes: z.array(z.string()).default(['doc', 'docx', 'xls', 'xlsx']),
      }).prefault({}),
      'personal-media': rule('reject', {
        /** Inline images referenced by Content-ID up to this size are signature logos, not media. */
        logoMaxBytes: bytes.default(20 * 1024),
      }).prefault({}),
      'personal-brevity': rule('quarantine', {
        maxLines: z.number().int().positive().default(30),
        maxChars: z.number().int().positive().default(3000),
        /** The organisation's standard disclaimer, not counted against brevity (matched ignoring white space). */
        disclaimer: z.string().default(''),
      }).prefault({}),
      'personal-size': rule('reject', { maxBytes: bytes.default(2 * 1024 * 1024) }).prefault({}),
      'personal-recipients': rule('quarantine', { maxRecipients: z.number().int().positive().default(10) }).prefault({}),
      'personal-marked': rule('reject', { minLevel: z.string().default('RESTRICTED') }).prefault({}),
      'personal-marked-low': rule('quarantine', { minLevel: z.string().default('PROTECT') }).prefault({}),
      'personal-encrypted': rule('quarantine', {}).prefault({}),
      'executable-content': rule('reject', {
        /** Extra file extensions that count as executable by name (without dot). */
        extraExtensions: z.array(z.string()).default([]),
      }).prefault({}),
      'macro-documents': rule('quarantine', {}).prefault({}),
      unscannable: rule('quarantine', {}).prefault({}),
      'message-size': rule('reject', { maxBytes: bytes.default(25 * 1024 * 1024) }).prefault({}),
      'auto-forward-outside': rule('reject', {}).prefault({}),
      'business-to-home-address': rule('quarantine', {}).prefault({}),
      'business-to-webmail': rule('monitor', {}).prefault({}),
      'marked-unencrypted': rule('reject', { minLevel: z.string().default('RESTRICTED') }).prefault({}),
      'marked-too-high': rule('reject', { minLevel: z.string().default('CONFIDENTIAL') }).prefault({}),
      /** A doubtful marking (quoted history, a bare CONFIDENTIAL) that would break a marking rule: held for review. */
      'marking-unclear': rule('quarantine', {}).prefault({}),
      'mass-mail': rule('quarantine', { maxRecipients: z.number().int().positive().default(50) }).prefault({}),
      malformed: rule('quarantine', {}).prefault({}),
    })
    .prefault({}),
});

export type PolicyInput = z.input<typeof policySchema>;
/** A validated policy. Frozen after loading: nothing changes it at run time. */
export type Policy = Readonly<z.output<typeof policySchema>> & {
  /** sha256 of the policy file's bytes ('' for a policy built in code). */
  readonly version: string;
  /** Where it was loaded from ('' for a policy built in code). */
  readonly source: string;
};
export type RuleConfig<K extends keyof Policy['rules']> = Policy['rules'][K];
