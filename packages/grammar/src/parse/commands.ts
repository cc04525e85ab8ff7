// Applies one command line (`-A chain …`, `-I chain [n] …`, `-N chain`, `-P chain policy`, …) to the builder.
// Shared by iptables-save, ebtables-save, `iptables -S` and shell command scripts.
import type { Family, Rule } from '../ir/nodes';
import type { Span } from '../ir/span';
import { endOffset, joinSpans, startOffset } from '../ir/span';
import type { ArgWord } from '../lex/words';
import { printRuleArgs } from '../print/rule';
import type { SnapshotBuilder } from './builder';
import type { DiagnosticSink } from './diagnostics';
import { parseRuleArgs } from './rule-args';

/** A Map: the word comes from the input, and `__proto__` must not find Object.prototype. */
const COMMANDS: ReadonlyMap<string, string> = new Map([
  ['-A', 'A'], ['--append', 'A'], ['-I', 'I'], ['--insert', 'I'], ['-D', 'D'], ['--delete', 'D'], ['-R', 'R'],
  ['--replace', 'R'], ['-N', 'N'], ['--new-chain', 'N'], ['-X', 'X'], ['--delete-chain', 'X'], ['-P', 'P'],
  ['--policy', 'P'], ['-F', 'F'], ['--flush', 'F'], ['-Z', 'Z'], ['--zero', 'Z'], ['-E', 'E'],
  ['--rename-chain', 'E'], ['-L', 'L'], ['--list', 'L'], ['-S', 'S'], ['--list-rules', 'S'],
]);

export function commandLetter(word: string): string | undefined {
  return COMMANDS.get(word);
}

export interface CommandContext {
  builder: SnapshotBuilder;
  sink: DiagnosticSink;
  family: Family;
  tableName: string;
  tableSpan: Span;
  /** iptables-save: chains must be declared before use. */
  strictChains: boolean;
  /** Text of the file, to slice a rule's raw source. */
  text: string;
  counters: { packets: bigint; bytes: bigint } | null;
}

function ruleFrom(ctx: CommandContext, chain: string, args: ArgWord[], span: Span): Rule {
  const parts = parseRuleArgs(args, ctx.family, ctx.sink);
  let comment: string | null = null;
  for (const m of parts.matches) {
    if (m.module !== 'comment') continue;
    for (const o of m.options) {
      if (o.key !== 'comment') continue;
      const text = o.value.type === 'string' ? o.value.value : o.words.join(' ');
      comment = comment === null ? text : `${comment} ${text}`;
    }
  }
  return {
    kind: 'rule',
    family: ctx.family,
    table: ctx.tableName,
    chain,
    index: 0,
    span,
    raw: ctx.text.slice(startOffset(span) - ctx.sink.origin.offset, endOffset(span) - ctx.sink.origin.offset),
    counters: ctx.counters ?? parts.counters,
    base: parts.base,
    matches: parts.matches,
    target: parts.target,
    comment,
  };
}

const isNumber = (w: ArgWord | undefined) => !!w && /^\d+$/.test(w.text);

export function applyCommand(ctx: CommandContext, cmdWord: ArgWord, args: ArgWord[], lineSpan: Span): void {
  const { builder, sink } = ctx;
  const letter = commandLetter(cmdWord.text);
  const t = builder.table(ctx.tableName, ctx.tableSpan, { addBuiltins: !ctx.strictChains });
  const chainWord = args[0];
  const needChain = (what: string): boolean => {
    if (chainWord) return true;
    sink.error('parse/missing-value', `${cmdWord.text} needs ${what}`, cmdWord.span);
    return false;
  };
  switch (letter) {
    case 'A':
    case 'I':
    case 'R': {
      if (!needChain('a chain name')) return;
      let rest = args.slice(1);
      let position = letter === 'I' ? 1 : 0;
      if ((letter === 'I' || letter === 'R') && isNumber(rest[0])) {
        position = Number(rest[0]!.text);
        rest = rest.slice(1);
      } else if (letter === 'R') {
        sink.error('parse/missing-value', '-R needs a rule number', cmdWord.span);
        return;
      }
      const chain = builder.chain(t, chainWord!.text, chainWord!.span, ctx.strictChains);
      const rule = ruleFrom(ctx, chain.name, rest, lineSpan);
      if (letter === 'A') builder.append(t, chain, rule);
      else if (letter === 'I') builder.insert(t, chain, rule, position, lineSpan);
      else builder.replace(t, chain, rule, position, lineSpan);
      return;
    }
    case 'D': {
      if (!needChain('a chain name')) return;
      const chain = builder.chain(t, chainWord!.text, chainWord!.span, false);
      const rest = args.slice(1);
      if (rest.length === 1 && isNumber(rest[0])) builder.deleteAt(t, chain, Number(rest[0]!.text), lineSpan);
      else {
        const probe = ruleFrom(ctx, chain.name, rest, lineSpan);
        builder.deleteMatching(t, chain, printRuleArgs(probe), printRuleArgs, lineSpan);
      }
      return;
    }
    case 'N': {
      if (!needChain('a chain name')) return;
      builder.newChain(t, chainWord!.text, ctx.family === 'bridge' ? (args[2]?.text ?? null) : null, lineSpan, chainWord!.span);
      extraArgs(ctx, args.slice(1).filter((w) => !(ctx.family === 'bridge' && (w.text === '-P' || /^[A-Z]+$/.test(w.text)))));
      return;
    }
    case 'P': {
      if (!needChain('a chain name and a policy')) return;
      const policy = args[1];
      if (!policy) { sink.error('parse/missing-value', `${cmdWord.text} ${chainWord!.text} needs a policy`, cmdWord.span); return; }
      const chain = builder.setPolicy(t, chainWord!.text, policy.text, chainWord!.span, policy.span, lineSpan);
      const rest = args.slice(2);
      if (rest[0]?.text === '-c' && isNumber(rest[1]) && isNumber(rest[2])) {
        if (chain) chain.counters = { packets: BigInt(rest[1]!.text), bytes: BigInt(rest[2]!.text) };
      } else extraArgs(ctx, rest);
      return;
    }
    case 'F':
      builder.flush(t, chainWord?.text ?? null, lineSpan);
      return;
    case 'X':
      builder.deleteChain(t, chainWord?.text ?? null, lineSpan);
      return;
    case 'Z':
      return;
    case 'E':
      if (!chainWord || !args[1]) { sink.error('parse/missing-value', '-E needs the old and the new chain name', cmdWord.span); return; }
      builder.rename(t, chainWord.text, args[1].text, lineSpan, args[1].span);
      extraArgs(ctx, args.slice(2));
      return;
    case 'L':
    case 'S':
      sink.info('parse/listing-command', `${cmdWord.text} lists rules and changes nothing; ignored`, lineSpan);
      return;
    default:
      sink.error('parse/unknown-command', `unknown command '${cmdWord.text}'`, cmdWord.span);
  }
}

function extraArgs(ctx: CommandContext, rest: ArgWord[]): void {
  if (rest.length) {
    ctx.sink.error('parse/unexpected-argument', `unexpected '${rest.map((w) => w.text).join(' ')}'`, joinSpans(rest[0]!.span, rest[rest.length - 1]!.span));
  }
}
