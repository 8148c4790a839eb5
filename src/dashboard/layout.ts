/** The page frame: navigation, who is logged in, the logout form (with its CSRF token). */
import { html, type Html } from './html.js';
import type { SessionUser } from './sessions.js';

export interface PageInput {
  readonly title: string;
  readonly user: SessionUser | null;
  readonly active?: 'overview' | 'quarantine' | 'queues' | 'audit';
  readonly body: Html;
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
}

const NAV: readonly [PageInput['active'], string, string][] = [
  ['overview', '/', 'Overview'],
  ['quarantine', '/quarantine', 'Quarantine'],
  ['queues', '/queues', 'Queues'],
  ['audit', '/audit', 'Audit'],
];

export function page(input: PageInput): string {
  const u = input.user;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${input.title} · mailwarden</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <span class="brand">mailwarden</span>
  ${u
    ? html`<nav>${NAV.map(([key, href, label]) => html`<a href="${href}"${key === input.active ? html` class="active" aria-current="page"` : ''}>${label}</a>`)}</nav>
  <form class="logout" method="post" action="/logout"><input type="hidden" name="_csrf" value="${u.csrf}"><span class="who">${u.name} (${u.role})</span> <button type="submit">Log out</button></form>`
    : ''}
</header>
<main>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${input.body}
</main>
</body>
</html>`.text;
}
