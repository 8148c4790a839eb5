/**
 * The dashboard's only style sheet and script, served by the app itself (no CDN; the CSP allows
 * nothing else). The script only adds conveniences (select-all, confirm prompts); every page
 * works without it.
 */
export const APP_CSS = `
:root { --fg:#1d232b; --muted:#5b6673; --line:#d8dee5; --bg:#f6f8fa; --accent:#1f5fa8; --hold:#b36b00; --reject:#b3261e; --accept:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; gap:1.5rem; align-items:center; padding:.6rem 1.2rem; background:#18202a; color:#fff; }
header.top .brand { font-weight:600; letter-spacing:.03em; }
header.top nav a { color:#cfd8e3; text-decoration:none; margin-right:1rem; }
header.top nav a.active { color:#fff; border-bottom:2px solid #fff; }
header.top form.logout { margin-left:auto; color:#cfd8e3; }
main { padding:1rem 1.2rem; max-width:1400px; }
h1 { font-size:1.3rem; margin:.2rem 0 1rem; } h2 { font-size:1.05rem; margin:1.4rem 0 .5rem; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef2f6; font-weight:600; white-space:nowrap; }
th a { color:inherit; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); }
.mono, code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size:12.5px; }
pre.body { white-space:pre-wrap; word-break:break-word; background:#fff; border:1px solid var(--line); padding:.8rem; max-height:32rem; overflow:auto; }
form.filters { display:flex; flex-wrap:wrap; gap:.6rem; align-items:end; margin-bottom:1rem; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
input, select, textarea, button { font:inherit; }
input[type=text], input[type=password], input[type=date], select, textarea { padding:.3rem .4rem; border:1px solid #b8c2cc; border-radius:3px; background:#fff; }
button { padding:.3rem .8rem; border:1px solid #8a96a3; border-radius:3px; background:#fff; cursor:pointer; }
button.release { border-color:var(--accept); color:var(--accept); } button.discard { border-color:var(--reject); color:var(--reject); }
.notice { background:#e7f3e8; border:1px solid #a5d6a7; padding:.5rem .8rem; }
.error { background:#fdecea; border:1px solid #f5b7b1; padding:.5rem .8rem; }
.badge { display:inline-block; padding:0 .4rem; border-radius:3px; background:#eef2f6; font-size:12px; margin-right:.2rem; }
.state-held { color:var(--hold); } .state-done { color:var(--muted); } .state-queued { color:var(--accent); }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(180px, 1fr)); gap:.8rem; margin-bottom:1rem; }
.card { background:#fff; border:1px solid var(--line); padding:.7rem .9rem; }
.card .value { font-size:1.5rem; font-weight:600; }
.charts { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:1rem; }
figure { margin:0; background:#fff; border:1px solid var(--line); padding:.6rem; }
figcaption { font-weight:600; margin-bottom:.3rem; }
svg text { font: 11px system-ui, sans-serif; fill:#3c4650; }
.legend span { margin-right:1rem; font-size:12px; } .legend i { display:inline-block; width:10px; height:10px; margin-right:.3rem; }
.pager { margin:.8rem 0; display:flex; gap:1rem; align-items:center; }
.actions { display:flex; gap:2rem; flex-wrap:wrap; margin:1rem 0; }
.actions form { background:#fff; border:1px solid var(--line); padding:.7rem; display:flex; flex-direction:column; gap:.4rem; min-width:320px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.2rem 1rem; background:#fff; border:1px solid var(--line); padding:.7rem; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; word-break:break-word; }
.login { max-width:360px; margin:4rem auto; background:#fff; border:1px solid var(--line); padding:1.2rem; display:flex; flex-direction:column; gap:.6rem; }
`;

export const APP_JS = `
document.addEventListener('change', function (e) {
  var t = e.target;
  if (t && t.matches && t.matches('input[data-select-all]')) {
    document.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = t.checked; });
  }
});
document.addEventListener('submit', function (e) {
  var f = e.target;
  var msg = f && f.getAttribute && f.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
`;
