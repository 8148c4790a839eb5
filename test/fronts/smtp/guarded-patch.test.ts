/**
 * The guarded method replacement both smtp-server patches use (src/fronts/smtp/guarded-patch.ts):
 * it replaces a method in both builds only when its source is the one checked, and otherwise
 * leaves smtp-server's own method in place and says why.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as esm from 'smtp-server/lib/smtp-stream.js';
import { installMethodPatch, type MethodPatch } from '../../../src/fronts/smtp/guarded-patch.js';

type Proto = Record<string, unknown>;
const esmProto = (esm as unknown as { SMTPStream: { prototype: Proto } }).SMTPStream.prototype;
const cjsProto = (createRequire(import.meta.url)('smtp-server/lib/smtp-stream.js') as { SMTPStream: { prototype: Proto } }).SMTPStream.prototype;
const originalEsm = esmProto._flushData;
const originalCjs = cjsProto._flushData;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

afterEach(() => {
  esmProto._flushData = originalEsm;
  cjsProto._flushData = originalCjs;
});

describe('guarded method patch', () => {
  const replacement = function flushData(): void {};
  const checked = new Set([sha256(String(originalEsm))]);
  /** Replaces SMTPStream._flushData (one nothing here depends on) unless told otherwise. */
  const install = (change: Partial<MethodPatch> = {}) =>
    installMethodPatch(esm as unknown as Record<string, unknown>, { module: 'smtp-server/lib/smtp-stream.js', className: 'SMTPStream', method: '_flushData', known: checked, replacement, ...change });

  it('replaces the method in the ESM and CommonJS builds when its source is the one checked', () => {
    expect(install()).toEqual({ active: true, reason: null });
    expect(esmProto._flushData).toBe(replacement);
    expect(cjsProto._flushData).toBe(replacement);
    // Installing again is a no-op, not a failure (the method is ours already).
    expect(install()).toEqual({ active: true, reason: null });
  });

  it('leaves another version alone and says which source it found', () => {
    const state = install({ known: new Set(['0'.repeat(64)]) });
    expect(state.active).toBe(false);
    expect(state.reason).toBe(`smtp-server's SMTPStream._flushData is not the version checked (sha256 ${sha256(String(originalEsm)).slice(0, 12)}…)`);
    expect(esmProto._flushData).toBe(originalEsm);
    expect(cjsProto._flushData).toBe(originalCjs);
  });

  it('says so when the class or the method is not there', () => {
    expect(install({ className: 'NoSuchClass' })).toEqual({ active: false, reason: 'NoSuchClass not found' });
    expect(install({ method: '_noSuchMethod' })).toEqual({ active: false, reason: "smtp-server's SMTPStream._noSuchMethod not found" });
  });
});
