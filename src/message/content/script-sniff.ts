/**
 * Text that is a program by its content, whatever it is called: scripts run by an interpreter named in
 * their first line (#!), Windows Script Files and scriptlets, HTML applications (mshta), registry files,
 * ClickOnce and App Installer manifests, Internet and Explorer shortcuts, Excel web queries, batch files
 * that open with '@echo off', and PowerShell that declares itself (#Requires, [CmdletBinding()]).
 *
 * Each test is anchored at the start of the text or on an element only that format has, so prose that
 * mentions these things (a note about '#!/bin/sh', a CSV, an e-mail about PowerShell) is not a program.
 * Only the first few KB are looked at: every format here declares itself at the top.
 */

export interface ScriptType {
  readonly ext: string;
  readonly mime: string;
}

/** Interpreters a shebang line may name without a path (the Windows py launcher accepts '#!python'). */
const SHEBANG = /^#![ \t]*(?:\/[\w.+/-]+|(?:python[\d.]*|perl|ruby|node|bash|sh|zsh|ksh|pwsh|php)\b)/;
const WSF = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:package|job)[\s>][\s\S]*<script[\s>]/i;
const SCRIPTLET = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:scriptlet|component)[\s>][\s\S]*<script[\s>]/i;
const REG = /^(?:Windows Registry Editor Version 5\.00|REGEDIT4)\s*[\r\n]/;
/** A ClickOnce deployment manifest: an asm.v1 assembly with a <deployment> element. */
const CLICKONCE = /urn:schemas-microsoft-com:asm\.v[12][\s\S]*<(?:\w+:)?deployment[\s>]/i;
const APP_INSTALLER = /<AppInstaller[^>]*xmlns\s*=\s*["']http:\/\/schemas\.microsoft\.com\/appx\/appinstaller\//i;
/** Shell commands and shortcuts in INI form: .url with a target, .scf with a shell command. */
const INTERNET_SHORTCUT = /^\[InternetShortcut\][ \t]*\r?\n(?:[^\r\n]*\r?\n)*?[ \t]*URL[ \t]*=/i;
const SHELL_COMMAND_FILE = /^\[Shell\][ \t]*\r?\n(?:[^\r\n]*\r?\n)*?[ \t]*Command[ \t]*=/i;
/** Excel web query: 'WEB', a version line, then a URL Excel fetches and runs formulas from. */
const WEB_QUERY = /^WEB[ \t]*\r?\n[ \t]*\d+[ \t]*\r?\n[ \t]*(?:https?|ftp|file):\/\//i;
const BATCH = /^(?:(?:rem\b[^\r\n]*|::[^\r\n]*|[ \t]*)\r?\n)*@echo[ \t]+off\b/i;
const POWERSHELL = /^(?:#[^\r\n]*\r?\n|\s)*?(?:#requires[ \t]+-(?:version|modules|runasadministrator|pseditions)\b|\[CmdletBinding\(|<#[\s\S]{0,2000}?\.SYNOPSIS\b)/i;
const HTA = /<hta:application[\s>/]/i;
/** Where mshta finds the HTA element: the start of the file, after at most a doctype, <html>, <head>, <title>. */
const HTA_AT_START =
  /^(?:<!--[\s\S]*?-->\s*)*(?:<!doctype[^>]*>\s*)?(?:<html[^>]*>\s*)?(?:<head[^>]*>\s*)?(?:<title>[^<]*<\/title>\s*)?<hta:application[\s>/]/i;

/**
 * A program in text form, or null. `start` is the decoded start of the content (a few KB); `html` says
 * the text sniff took it for HTML (then an HTA element anywhere in it counts, else only at the start).
 */
export function scriptTypeOfText(start: string, html: boolean): ScriptType | null {
  const s = start.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '');
  if (SHEBANG.test(s)) return { ext: 'sh', mime: 'text/x-shellscript' };
  if (REG.test(s)) return { ext: 'reg', mime: 'application/x-ms-regedit' };
  const t = s.trimStart();
  if (WSF.test(t)) return { ext: 'wsf', mime: 'text/xml' };
  if (SCRIPTLET.test(t)) return { ext: 'wsc', mime: 'text/scriptlet' };
  if (html ? HTA.test(t) : HTA_AT_START.test(t)) return { ext: 'hta', mime: 'application/hta' };
  if (CLICKONCE.test(t)) return { ext: 'application', mime: 'application/x-ms-application' };
  if (APP_INSTALLER.test(t)) return { ext: 'appinstaller', mime: 'application/appinstaller' };
  if (INTERNET_SHORTCUT.test(t)) return { ext: 'url', mime: 'application/x-url' };
  if (SHELL_COMMAND_FILE.test(t)) return { ext: 'scf', mime: 'application/x-scf' };
  if (WEB_QUERY.test(t)) return { ext: 'iqy', mime: 'text/x-ms-iqy' };
  if (BATCH.test(t)) return { ext: 'bat', mime: 'application/x-bat' };
  if (POWERSHELL.test(t)) return { ext: 'ps1', mime: 'text/x-powershell' };
  return null;
}

/**
 * SYLK (the .slk spreadsheet Excel opens): a formula that calls EXEC, CALL or REGISTER runs a program
 * or a DLL function when the sheet opens, as an Excel 4.0 macro does. Null when the text is not SYLK.
 */
export function sylkMacros(start: string): boolean | null {
  if (!/^ID;P/.test(start)) return null;
  // ';E' opens the formula: the call may be its first word or follow an operator.
  return /;E(?:[^\r\n]*?[^\w.])?(?:EXEC|CALL|REGISTER)\s*\(/i.test(start);
}
