/**
 * The shape of `mailwarden check` output, as JSON and as text for a person.
 * The JSON is a stable interface: scripts and the fixture replay read it.
 */
import type { InspectionResult } from '../inspect.js';

export function toJsonReport(result: InspectionResult) {
  const { message, verdict, envelope } = result;
  return {
    decision: verdict.decision,
    wouldHave: verdict.wouldHave,
    monitorMode: verdict.monitorMode,
    personal: verdict.personal,
    marking: verdict.marking,
    encrypted: verdict.encrypted,
    /** Set when the intake refused the message before inspection (too big, bare line ending, NUL): nothing else was read. */
    refused: result.refusal ?? null,
    findings: verdict.findings.map((f) => ({
      rule: f.rule,
      action: f.action,
      excepted: f.excepted,
      reason: f.reason,
      policyRef: f.policyRef,
      evidence: f.evidence,
    })),
    envelope: { from: envelope.mailFrom, to: envelope.rcptTo },
    message: {
      messageId: message.messageId,
      subject: message.subject,
      size: message.size,
      sha256: message.sha256,
      encryption: message.encryption,
      markings: message.markings,
      attachments: message.attachments.map((a) => ({
        id: a.id,
        path: a.location.join('/'),
        origin: a.origin,
        depth: a.depth,
        name: a.name,
        rawName: a.rawName,
        nameTricks: a.nameTricks,
        declaredType: a.declaredType,
        detectedType: a.detected.mime,
        detectedExt: a.detected.ext,
        family: a.detected.family,
        macros: a.detected.macros,
        encrypted: a.detected.encrypted,
        disposition: a.disposition,
        contentId: a.contentId,
        size: a.size,
        sha256: a.sha256,
        unscannable: a.unscannable,
      })),
      attachedMessages: message.attachedMessages,
      anomalies: message.anomalies,
    },
    policyVersion: verdict.policyVersion,
  };
}

export function toTextReport(result: InspectionResult): string {
  const { message, verdict, envelope } = result;
  const out: string[] = [];
  const decision = verdict.decision.toUpperCase();
  out.push(
    verdict.monitorMode && verdict.wouldHave !== verdict.decision
      ? `Decision: ${decision} (monitor mode; enforcing would ${verdict.wouldHave})`
      : `Decision: ${decision}`,
  );
  if (result.refusal) out.push(`  refused before inspection (${result.refusal.kind}): nothing past that point was read`);
  out.push(`  subject:   ${message.subject || '(none)'}`);
  out.push(`  envelope:  ${envelope.mailFrom || '<>'} -> ${envelope.rcptTo.join(', ') || '(no recipients)'}`);
  out.push(
    `  personal:  ${verdict.personal ? 'yes' : 'no'}   marking: ${verdict.marking ?? 'none'}   encrypted: ${verdict.encrypted ? 'yes' : 'no'}`,
  );
  out.push(`  size:      ${message.size} bytes   sha256: ${message.sha256}`);
  if (message.attachments.length > 0) {
    out.push('Attachments:');
    for (const a of message.attachments) {
      const indent = '  '.repeat(a.depth + 1);
      const flags = [a.detected.macros ? 'macros' : '', a.unscannable ? `unscannable: ${a.unscannable}` : '', ...a.nameTricks]
        .filter(Boolean)
        .join(', ');
      out.push(
        `${indent}${a.location.join(' > ')}  [${a.detected.ext || a.detected.mime}, ${a.detected.family}, ${a.size} B]${flags ? `  (${flags})` : ''}`,
      );
    }
  }
  if (verdict.findings.length === 0) {
    out.push('Findings: none');
  } else {
    out.push('Findings:');
    for (const f of verdict.findings) {
      const action = f.excepted ? `${f.action}, sender excepted` : f.action;
      out.push(`  [${action}] ${f.rule}: ${f.reason}`);
      out.push(`      policy: ${f.policyRef}`);
      if (f.evidence.length > 0) out.push(`      evidence: ${f.evidence.join('; ')}`);
    }
  }
  return out.join('\n');
}
