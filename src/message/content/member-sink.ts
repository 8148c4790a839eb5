/**
 * What happens to each member a container finds: count it, extract it under the limits, analyse it
 * recursively, add it (and its own members) to the flat list. A member whose bytes cannot be had is still
 * listed, judged by its name, and makes its container unscannable.
 */
import type { Attachment } from '../model.js';
import type { ContentInput, ContentReport } from './analysis-work.js';
import { memberAttachment, messageOf, type Env, type Work } from './analysis-work.js';
import { ArchiveLimitError } from './archive-limits.js';
import { isExecutableName } from './executable-names.js';
import { baseName, cleanFileName, extensionOf } from './file-name.js';
import { collectBlob, type MemberBlob } from './member-blob.js';
import type { FoundMember, MemberSink } from './members.js';

function uniquePath(path: string, used: Set<string>): string {
  let candidate = path;
  for (let n = 2; used.has(candidate); n += 1) candidate = `${path} (${n})`;
  used.add(candidate);
  return candidate;
}

/** A member we could not extract: judged by its name only. */
function stubMember(parent: ContentInput, path: string, found: FoundMember, reason: string): Attachment {
  const raw = baseName(found.path);
  const clean = cleanFileName(raw);
  const byName = clean.name !== '' && isExecutableName(clean.name);
  return {
    id: `${parent.id}/${path}`,
    location: [...parent.location, path],
    origin: 'member',
    depth: parent.depth + 1,
    name: clean.name || null,
    rawName: clean.name !== raw ? raw : null,
    nameTricks: [...clean.tricks],
    declaredType: '',
    disposition: null,
    contentId: null,
    size: found.declaredSize ?? 0,
    sha256: '',
    detected: {
      mime: 'application/octet-stream',
      ext: byName ? extensionOf(clean.name) : '',
      family: byName ? 'executable' : 'unknown',
      macros: false,
      encrypted: found.encrypted ?? false,
      basis: byName ? 'name' : 'none',
    },
    unscannable: reason,
    markings: [],
  };
}

/**
 * `listed` decides whether a member that was read and analysed is itself listed (its own members
 * always are): an Office package's own parts are looked at, but only listed when they are more
 * than what the package is made of (see office-package.ts).
 */
export function memberSink(
  parent: ContentInput,
  env: Env,
  work: Work,
  listed: (path: string, report: ContentReport) => boolean = () => true,
): MemberSink {
  const used = new Set<string>();
  const { ctx, budget } = env;
  return async (found) => {
    ctx.options.signal?.throwIfAborted();
    const path = uniquePath(cleanFileName(found.path).name || 'unnamed', used);
    try {
      budget.addMember();
    } catch (err) {
      if (!(err instanceof ArchiveLimitError)) throw err;
      work.reasons.push(err.reason);
      return 'stop';
    }
    if (found.unreadable) {
      work.members.push(stubMember(parent, path, found, found.unreadable));
      work.reasons.push(`${found.unreadable} (${path})`);
      if (found.encrypted) work.encrypted = true;
      return 'continue';
    }
    let blob: MemberBlob;
    try {
      // A header that admits to a bomb's ratio is believed; one that hides it is caught while inflating.
      if (found.declaredSize !== undefined && found.compressedSize !== undefined) {
        budget.checkRatio(found.declaredSize, found.compressedSize, `${path}, as declared`);
      }
      blob = await collectBlob(found.source ?? [], {
        ctx, budget, label: path, ...(found.compressedSize !== undefined ? { compressedSize: found.compressedSize } : {}),
      });
    } catch (err) {
      if (ctx.options.signal?.aborted) throw err;
      const limit = err instanceof ArchiveLimitError;
      const reason = limit ? err.reason : `cannot extract member: ${messageOf(err)}`;
      work.members.push(stubMember(parent, path, found, reason));
      work.reasons.push(limit ? reason : `${reason} (${path})`);
      return limit ? 'stop' : 'continue';
    }
    try {
      const raw = baseName(found.path);
      const clean = cleanFileName(raw);
      const input: ContentInput = {
        blob, name: clean.name || null, declaredType: '',
        id: `${parent.id}/${path}`, location: [...parent.location, path], depth: parent.depth + 1,
      };
      const report = await env.analyse(input, true);
      if (listed(found.path, report)) {
        work.members.push(memberAttachment(input, { rawName: clean.name !== raw ? raw : null, nameTricks: clean.tricks, size: blob.size, sha256: blob.sha256 }, report));
      }
      work.members.push(...report.members);
    } finally {
      await blob.dispose();
    }
    return 'continue';
  };
}
