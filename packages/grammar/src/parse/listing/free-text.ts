// Reads the last column of an `iptables -L` row: `[goto] `, then each match's print in rule order, then the
// target's print (iptables.c print_firewall). Text no print form accounts for is kept verbatim, with the reason.
import { TextCursor, WordOut, type Piece } from './emit';
import { Say, type FormContext, type PrintForm } from './form';
import { MATCH_FORMS } from './match-forms';
import { GOTO_FORM, TARGET_FORMS } from './target-forms';

/** Forms still safe to try after text nobody recognised: their opening is unmistakable. */
const DISTINCT_FORMS = MATCH_FORMS.filter((f) => f.name === 'comment');

export interface FreeText {
  goto: boolean;
  /** Words of the target's options (after `-j NAME`). */
  target: WordOut;
}

/**
 * Reads the free text from the cursor into `matches` (match words and opaque chunks); the target's options go
 * to the returned `target`. `ctx.targetName` may be changed by a target form.
 */
export function readFreeText(cur: TextCursor, matches: WordOut, ctx: FormContext): FreeText {
  const target = new WordOut(matches.line);
  const result: FreeText = { goto: false, target };
  cur.skipSpace();
  const goto = cur.peek(GOTO_FORM.re);
  if (goto) {
    result.goto = true;
    cur.pos = goto.whole.end;
  }
  // The target name comes from the input: own keys only (a target `constructor` has no print forms).
  const targetForms = (Object.hasOwn(TARGET_FORMS, ctx.targetName) ? TARGET_FORMS[ctx.targetName] : undefined) ?? [];
  let pending: { start: number; end: number; reasons: string[] } | null = null;
  let unrecognised = false;
  const hold = (p: Piece, reason: string) => {
    if (pending) { pending.end = p.end; if (!pending.reasons.includes(reason)) pending.reasons.push(reason); }
    else pending = { start: p.start, end: p.end, reasons: [reason] };
  };
  const flush = () => {
    if (!pending) return;
    const line = matches.line.text;
    matches.keepOpaque({ text: line.slice(pending.start, pending.end), start: pending.start, end: pending.end }, pending.reasons);
    pending = null;
  };
  /** Runs a form at the cursor; true when it consumed text (read, or recognised as not readable). */
  const tryForm = (f: PrintForm, out: WordOut): boolean => {
    const hit = cur.peek(f.re);
    if (!hit || hit.whole.end === hit.whole.start) return false;
    // Verbatim text read so far goes before this match (keepOpaque joins it with this one if it fails too).
    if (out === matches) flush();
    const mark = out.mark();
    const reason = f.emit(new Say(hit, out), ctx);
    cur.pos = hit.whole.end;
    if (reason) {
      out.reset(mark);
      hold(hit.whole, `${f.name}: ${reason}`);
    }
    return true;
  };
  while (!cur.atEnd()) {
    // The target prints last: its forms must account for the rest of the line.
    if (targetForms.some((f) => tryForm(f, target))) break;
    const forms = unrecognised ? DISTINCT_FORMS : MATCH_FORMS;
    if (forms.some((f) => tryForm(f, matches))) continue;
    unrecognised = true;
    hold(cur.takeWord(), 'text chainsight does not recognise as the listing form of an extension');
  }
  flush();
  return result;
}
