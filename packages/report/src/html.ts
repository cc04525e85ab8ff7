// Escaping and the page shell. Every string that comes from the input (rule text, chain names, comments, file
// names, assumptions) goes through `esc` or `attr`; nothing from the input is ever placed in a <script> or
// <style> element or in an attribute name, so escaping these five characters is enough (the HTML Living Standard's
// "Restrictions on the contents of raw text and escapable raw text elements" do not apply to them).
// Control and invisible format characters (bidi overrides, zero-width) are first shown as visible escapes by
// grammar's visibleText, as in every other output, so a rule cannot read differently from what the kernel sees.
import { visibleText } from '@chainsight/grammar';
import { STYLE } from './style';

const ENTITIES: ReadonlyMap<string, string> = new Map([['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['"', '&quot;'], ["'", '&#39;']]);

/** Text content and attribute values alike: & < > " ' become entities, control characters visible escapes. */
export function esc(text: string | number | null | undefined): string {
  return visibleText(String(text ?? '')).replace(/[&<>"']/g, (ch) => ENTITIES.get(ch)!);
}

/** ` name="value"` with the value escaped; null/undefined leave the attribute out. */
export function attr(name: string, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === false) return '';
  return value === true ? ` ${name}` : ` ${name}="${esc(value)}"`;
}

/** An id fragment made of the given parts; the parts are numbers and fixed words, never input text. */
export const idOf = (...parts: (string | number)[]): string => parts.join('-');

/**
 * The whole document. The Content-Security-Policy forbids every fetch (no network, no fonts, no images from
 * elsewhere) and every script: the report works with CSS alone (`:has()` selects the outcome shown), so an
 * input string that escaped its escaping still could not run.
 */
export function page(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="chainsight">
<title>${esc(title)}</title>
<style>${STYLE}${extraStyle}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A rule line shown as code (the file:line it came from beside it). */
export function code(text: string): string {
  return `<code class="rule">${esc(text)}</code>`;
}
