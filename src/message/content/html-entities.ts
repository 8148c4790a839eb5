/**
 * Character references in an attribute value, decoded as a browser does, for the active-content scan.
 * Numeric references count with or without their ';' and with any number of leading zeros. Of the named
 * references only those that can spell a URL scheme or the blanks around it matter (no named reference is
 * an ASCII letter), so the table holds the ASCII punctuation and blanks, plus the legacy names browsers
 * accept without ';'. One pass: '&amp;#106;' stays '&#106;', as in a browser.
 */

const NAMED: Readonly<Record<string, string>> = {
  Tab: '\t', NewLine: '\n', nbsp: '\u00a0', excl: '!', quot: '"', QUOT: '"', num: '#', dollar: '$', percnt: '%',
  amp: '&', AMP: '&', apos: "'", lpar: '(', rpar: ')', ast: '*', midast: '*', plus: '+', comma: ',', period: '.',
  sol: '/', colon: ':', semi: ';', lt: '<', LT: '<', equals: '=', gt: '>', GT: '>', quest: '?', commat: '@',
  lsqb: '[', lbrack: '[', bsol: '\\', rsqb: ']', rbrack: ']', Hat: '^', lowbar: '_', UnderBar: '_', grave: '`',
  DiacriticalGrave: '`', lcub: '{', lbrace: '{', verbar: '|', vert: '|', VerticalLine: '|', rcub: '}', rbrace: '}',
  hyphen: '-', dash: '-', shy: '\u00ad', ZeroWidthSpace: '\u200b', NoBreak: '\u2060',
};
/** Named references a browser still decodes without the ';'. */
const LEGACY = new Set(['amp', 'AMP', 'lt', 'LT', 'gt', 'GT', 'quot', 'QUOT', 'nbsp', 'shy']);

const REFERENCE = /&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|([A-Za-z][A-Za-z0-9]{1,31})(;?))/g;

export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(REFERENCE, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined, semi: string | undefined) => {
    if (hex !== undefined || dec !== undefined) {
      const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec as string, 10);
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    const named = NAMED[name as string];
    if (named === undefined || (!semi && !LEGACY.has(name as string))) return whole;
    return named;
  });
}
