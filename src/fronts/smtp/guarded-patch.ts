/**
 * Replacing one method of one of smtp-server's classes, carefully: only where the method's source
 * hashes to one we checked the replacement against, in both of smtp-server's builds (the ESM one
 * we run, and the CommonJS one anything else in the process might load). On any other version
 * smtp-server keeps its own method and the returned state says why; the front logs it at start.
 * Used by greeting-delay.ts and fast-data-feed.ts (docs/decisions/smtp-server-*.md).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** Whether a replacement is in effect on the ESM build, and why not when it is not. */
export interface PatchState {
  readonly active: boolean;
  readonly reason: string | null;
}

type Method = (...args: never[]) => unknown;
type PatchableClass = { prototype: Record<string, unknown> };

export interface MethodPatch {
  /** The module specifier, as `require` takes it (`smtp-server/lib/smtp-stream.js`). */
  readonly module: string;
  /** The exported class (`SMTPStream`). */
  readonly className: string;
  readonly method: string;
  /** sha256 (hex) of the sources of the method this replacement was checked against. */
  readonly known: ReadonlySet<string>;
  readonly replacement: Method;
}

function replaceOn(cls: PatchableClass | undefined, patch: MethodPatch): string | null {
  const label = `smtp-server's ${patch.className}.${patch.method}`;
  if (!cls) return `${patch.className} not found`;
  const current = cls.prototype[patch.method];
  if (current === patch.replacement) return null;
  if (typeof current !== 'function') return `${label} not found`;
  const hash = createHash('sha256').update(current.toString()).digest('hex');
  if (!patch.known.has(hash)) return `${label} is not the version checked (sha256 ${hash.slice(0, 12)}…)`;
  cls.prototype[patch.method] = patch.replacement;
  return null;
}

/** Installs `patch` on the ESM build's class `esm` (as imported) and on the CommonJS build's. */
export function installMethodPatch(esm: Record<string, unknown>, patch: MethodPatch): PatchState {
  const esmReason = replaceOn(esm[patch.className] as PatchableClass | undefined, patch);
  let cjsReason: string | null = null;
  try {
    const cjs = createRequire(import.meta.url)(patch.module) as Record<string, unknown>;
    cjsReason = replaceOn(cjs[patch.className] as PatchableClass | undefined, patch);
  } catch (err) {
    cjsReason = `CommonJS build not loadable: ${(err as Error).message}`;
  }
  return { active: esmReason === null, reason: esmReason ?? cjsReason };
}
