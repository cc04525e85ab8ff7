// The linter: configuration, severities, inline suppression, ordering and the rule framework's type checks.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import {
  LintConfigError, defineRule, disabledBy, lint, lintRuleset, mergeRuleset, notPartsOfOneRuleset, parseLintConfig, resolveConfig, RULES,
} from '@chainsight/analyzer';

const TEXT = `*filter
:INPUT ACCEPT [0:0]
:OLD - [0:0]
-A INPUT -j DROP
-A INPUT -j NOSUCH
-A OLD -j ACCEPT
COMMIT
`;
const snapshot = parseSnapshot(TEXT, { fileName: 'host.rules', family: 'ipv4' }).snapshot;
const codes = (config = {}) => lint(snapshot, config).map((d) => `${d.span.start.line}:${d.span.start.column} ${d.severity} ${d.code}`);

describe('lint()', () => {
  it('reports every rule, sorted by position, with code lint/<id> and the file name', () => {
    // OLD, which nothing jumps to, is no-unreferenced-chain's finding only (not also no-unreachable-rule's).
    expect(codes()).toEqual([
      '3:1 warning lint/no-unreferenced-chain',
      '5:1 warning lint/no-unreachable-rule',
      '5:10 error lint/no-undefined-target',
    ]);
    expect(new Set(lint(snapshot).map((d) => d.file))).toEqual(new Set(['host.rules']));
  });

  it.each([
    [{ rules: { 'no-unreachable-rule': 'off' } }, ['3:1 warning lint/no-unreferenced-chain', '5:10 error lint/no-undefined-target']],
    [{ rules: { 'lint/no-undefined-target': 'warn', 'no-unreachable-rule': ['off'] } }, ['3:1 warning lint/no-unreferenced-chain', '5:10 warning lint/no-undefined-target']],
    [{ rules: { 'no-unreachable-rule': 'off', 'no-unreferenced-chain': ['error', { allow: ['OLD'] }] } }, ['5:10 error lint/no-undefined-target']],
    [{ allowChains: ['OLD', 'NOSUCH'], rules: { 'no-unreachable-rule': 'off' } }, []],
  ])('configuration %j', (config, expected) => expect(codes(config)).toEqual(expected));

  it('a finding capped below the configured level stays capped', () => {
    const t = parseSnapshot('*filter\n:INPUT DROP [0:0]\n-A INPUT -j RETURN\nCOMMIT\n', { fileName: 'r', family: 'ipv4' }).snapshot;
    expect(lint(t).map((d) => d.severity)).toEqual(['warning']);
    expect(lint(t, { rules: { 'no-target-in-wrong-place': 'info' } }).map((d) => d.severity)).toEqual(['info']);
  });

  it.each([
    [{ rules: { 'no-such-rule': 'error' } }, "rules: unknown rule 'no-such-rule'"],
    [{ rules: { 'no-duplicate-rule': 'fatal' } }, 'rules.no-duplicate-rule: level must be one of error, warning, info, off (got "fatal")'],
    [{ rules: { 'no-unreferenced-chain': ['warning', { allow: 'OLD' }] } }, `rules.no-unreferenced-chain[1].allow: option 'allow' must be a list of strings (got "OLD")`],
    [{ rules: { 'no-chain-loop': ['error', { strict: true }] } }, "rules.no-chain-loop[1]: unknown option 'strict' of no-chain-loop (the rule has no options)"],
    [{ rules: new Map([['__proto__', 'off']]) }, "rules: unknown rule '__proto__'"],
    [{ allowChains: 'OLD' }, 'allowChains: expected a list of chain names or globs'],
  ])('rejects %j', (config, message) => {
    expect(() => resolveConfig(config as never, RULES)).toThrow(LintConfigError);
    expect(() => resolveConfig(config as never, RULES)).toThrow(message);
  });
});

describe('inline suppression', () => {
  it.each([
    ['chainsight-disable', 'all'],
    ['keep this; chainsight-disable no-duplicate-rule', ['no-duplicate-rule']],
    ['chainsight-disable no-duplicate-rule, lint/no-unreachable-rule', ['no-duplicate-rule', 'no-unreachable-rule']],
    ['chainsight-disable-ish', null],
    ['chainsight-disable no-duplicate-rule -- kept for the audit of 2019', ['no-duplicate-rule']],
    ['chainsight-disable no-duplicate-rule; see ticket 12', ['no-duplicate-rule']],
    // A word that is not a rule id is still read as one (and reported), never as "disable everything".
    ['chainsight-disable No-Duplicate-Rule', ['No-Duplicate-Rule']],
    ['chainsight-disable because it is old', ['because', 'it', 'is', 'old']],
    ['nothing here', null],
    [null, null],
  ] as const)('%j disables %j', (comment, expected) => {
    const d = disabledBy(comment);
    expect(d === 'all' || d === null ? d : [...d]).toEqual(expected);
  });

  it('suppresses only findings located on that rule', () => {
    const text = TEXT.replace('-A INPUT -j NOSUCH', '-A INPUT -m comment --comment "chainsight-disable no-undefined-target" -j NOSUCH');
    const s = parseSnapshot(text, { fileName: 'h', family: 'ipv4' }).snapshot;
    expect(lint(s).map((d) => d.code)).toEqual(['lint/no-unreferenced-chain', 'lint/no-unreachable-rule']);
  });

  // A misspelt id must not silently leave the finding it meant to suppress: a warning at the word itself.
  it.each([
    ['chainsight-disable no-unreachabel-rule', ["4:58 suppress/unknown-rule: chainsight-disable names no lint rule 'no-unreachabel-rule' (did you mean 'no-unreachable-rule'?): it suppresses nothing"]],
    ['chainsight-disable lint/no-unreachable-rule, No-Undefined-Target', ["4:84 suppress/unknown-rule: chainsight-disable names no lint rule 'No-Undefined-Target' (did you mean 'no-undefined-target'?): it suppresses nothing"]],
    ['chainsight-disable no-unreachable-rule -- old rule, kept', []],
    ['chainsight-disable', []],
    ['chainsight-disable bogus', ["4:58 suppress/unknown-rule: chainsight-disable names no lint rule 'bogus': it suppresses nothing"]],
  ])('comment %j gives %j', (comment, expected) => {
    const text = `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n-A INPUT -p tcp -m comment --comment "${comment}" -j ACCEPT\nCOMMIT\n`;
    const found = lint(parseSnapshot(text, { fileName: 'h', family: 'ipv4' }).snapshot).filter((d) => d.code.startsWith('suppress/'));
    expect(found.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}: ${d.message}`)).toEqual(expected);
    for (const d of found) expect(text.split('\n')[3]!.slice(d.span.start.column - 1, d.span.end.column - 1)).toBe(comment.split(/[\s,]+/).find((w) => d.message.includes(`'${w}'`)));
  });
});

describe('parseLintConfig: every problem of a chainsight.config.json, with its JSON path', () => {
  const problems = (json: unknown) => {
    try {
      parseLintConfig(json);
      return [];
    } catch (e) {
      if (!(e instanceof LintConfigError)) throw e;
      return e.problems.map((p) => `${JSON.stringify(p.path)} ${p.on}: ${p.message}`);
    }
  };
  it.each([
    [{ foo: 1 }, ['["foo"] key: unknown key \'foo\' (known: $schema, rules, allowChains)']],
    [{ allowChain: [] }, ['["allowChain"] key: unknown key \'allowChain\' (did you mean \'allowChains\'?) (known: $schema, rules, allowChains)']],
    [[1, 2], ['[] value: the configuration must be a JSON object such as { "rules": { … } } (got an array)']],
    [null, ['[] value: the configuration must be a JSON object such as { "rules": { … } } (got null)']],
    [5, ['[] value: the configuration must be a JSON object such as { "rules": { … } } (got number)']],
    [{ allowChains: 'x' }, ['["allowChains"] value: expected a list of chain names or globs (got "x")']],
    [{ allowChains: ['ok', 3] }, ['["allowChains",1] value: expected a chain name or glob (got 3)']],
    [{ rules: 5 }, ['["rules"] value: \'rules\' must be an object of rule id → level (got 5)']],
    [JSON.parse('{"rules": {"__proto__": "off"}}'), ['["rules","__proto__"] key: unknown rule \'__proto__\' (\'chainsight lint --list-rules\' lists them)']],
    [{ rules: { 'no-unreachabel-rule': 'off' } }, ['["rules","no-unreachabel-rule"] key: unknown rule \'no-unreachabel-rule\' (did you mean \'no-unreachable-rule\'?) (\'chainsight lint --list-rules\' lists them)']],
    [{ rules: { 'no-duplicate-rule': 'off', 'lint/no-duplicate-rule': 'error' } }, ['["rules","lint/no-duplicate-rule"] key: rule \'no-duplicate-rule\' is configured twice (also as \'no-duplicate-rule\')']],
    [{ rules: { 'no-duplicate-rule': ['error', { x: 1 }, 3] } }, ['["rules","no-duplicate-rule"] value: expected [level] or [level, options]']],
    [{ rules: { 'no-duplicate-rule': 7 } }, ['["rules","no-duplicate-rule"] value: expected a level or [level, options] (got 7)']],
    [{ rules: { 'no-unreferenced-chain': ['loud', { alow: [] }] } }, [
      '["rules","no-unreferenced-chain",0] value: level must be one of error, warning, info, off (got "loud")',
      '["rules","no-unreferenced-chain",1,"alow"] key: unknown option \'alow\' of no-unreferenced-chain (did you mean \'allow\'?) (known: allow, ignoreManagedChains)',
    ]],
    [{ $schema: 'x', rules: { 'no-duplicate-rule': 'warn' }, allowChains: ['f2b-*'] }, []],
  ])('%j', (json, expected) => expect(problems(json)).toEqual(expected));

  it('gives rules as a Map, so no rule id is ever an object key', () => {
    const config = parseLintConfig({ rules: { 'no-duplicate-rule': 'off' } });
    expect(config.rules).toBeInstanceOf(Map);
  });
});

describe('several files as one ruleset (ufw\'s before.rules and after.rules, per-table listings)', () => {
  const part = (file: string, text: string) => ({ file, snapshot: parseSnapshot(text, { fileName: file, family: 'ipv4' }).snapshot });
  const BEFORE = part('before.rules', '*filter\n:ufw-before-input - [0:0]\n-A ufw-before-input -i lo -j ACCEPT\n-A ufw-before-input -j ufw-after-input\nCOMMIT\n');
  const AFTER = part('after.rules', '*filter\n:ufw-after-input - [0:0]\n-A ufw-after-input -p udp --dport 137 -j ufw-skip\nCOMMIT\n');
  const BASE = part('base.rules', '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ufw-before-input\n-A INPUT -j DROP\nCOMMIT\n');
  const NAT = part('nat.rules', '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n');
  const OTHER_HOST = part('other.rules', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n');
  const AGAIN = part('again.rules', '*filter\n:ufw-after-input - [0:0]\n-A ufw-after-input -j RETURN\nCOMMIT\n');

  it.each([
    ['base, before, after', [BASE, BEFORE, AFTER], null],
    ['filter and nat tables apart', [BASE, NAT], null],
    ['two hosts', [BASE, OTHER_HOST], 'base.rules and other.rules both have rules in filter INPUT'],
    ['one user chain twice', [AFTER, AGAIN], 'after.rules and again.rules both declare chain ufw-after-input in table filter'],
    ['two policies', [BASE, part('p.rules', '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n')], 'base.rules and p.rules set different policies for filter INPUT'],
  ])('%s', (_name, parts, why) => expect(notPartsOfOneRuleset(parts)).toBe(why));

  it('one file at a time, jumps into the other files are undefined; together, each finding keeps its own file:line', () => {
    expect(lint(BEFORE.snapshot).map((d) => d.code)).toContain('lint/no-undefined-target');
    const merged = lintRuleset(mergeRuleset([BASE, BEFORE, AFTER]));
    // before.rules' jump to ufw-after-input is found in after.rules; after.rules' ufw-skip is in no file.
    expect(merged.map((d) => `${d.file}:${d.span.start.line}:${d.span.start.column} ${d.code}: ${d.message}`)).toEqual([
      "after.rules:3:39 lint/no-undefined-target: -j ufw-skip: table 'filter' has no chain 'ufw-skip'",
    ]);
  });

  it('a built-in chain in several files: rules appended in file order (iptables-restore --noflush), numbered on', () => {
    const more = part('more.rules', '*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const m = mergeRuleset([BASE, more]);
    const input = m.snapshot.tables[0]!.chains.find((c) => c.name === 'INPUT')!;
    expect(input.rules.map((r) => `${m.fileOf(r)}:${r.span.start.line} rule ${r.index}`)).toEqual(['base.rules:3 rule 1', 'base.rules:4 rule 2', 'more.rules:2 rule 3']);
    expect(lintRuleset(m).map((d) => `${d.file}:${d.span.start.line} ${d.message}`)).toContain(
      'more.rules:2 rule 3 of INPUT is never reached: rule 2 before it (-j DROP) matches every packet',
    );
  });

  it('a user chain declared again is flushed, as restore --noflush does, and said', () => {
    const m = mergeRuleset([AFTER, AGAIN]);
    expect(m.diagnostics.map((d) => `${d.file}:${d.span.start.line} ${d.severity} ${d.code}`)).toEqual(['again.rules:2 warning merge/redeclared-chain']);
    expect(m.snapshot.tables[0]!.chains[0]!.rules.map((r) => m.fileOf(r))).toEqual(['again.rules']);
  });
});

describe('defineRule', () => {
  it('a report with an unknown message id is a bug in the rule, said plainly', () => {
    const rule = defineRule({
      id: 'sloppy', description: 'd', help: 'h', defaultSeverity: 'warning', messages: { m: 'x' }, defaultOptions: {},
      create: (context) => ({ chain: (chain) => context.report({ node: chain, messageId: 'gone' as 'm' }) }),
    });
    expect(() => lint(snapshot, {}, { rules: [rule] })).toThrow("rule sloppy reported unknown message 'gone'");
  });

  it('rejects ids that are not kebab-case and hints with unknown placeholders', () => {
    expect(() => defineRule({ id: 'NoCaps', description: '', help: '', defaultSeverity: 'error', messages: { m: 'x' }, defaultOptions: {}, create: () => ({}) })).toThrow('kebab-case');
    expect(() => defineRule({
      id: 'bad-hint', description: '', help: '', defaultSeverity: 'error', messages: { m: 'x {{a}}' }, hints: { m: '{{b}}' }, defaultOptions: {}, create: () => ({}),
    })).toThrow("hint 'm' uses {{b}}");
  });

  it('type-checks report() against the message ids and their placeholders', () => {
    const rule = defineRule({
      id: 'typed', description: 'd', help: 'h', defaultSeverity: 'warning',
      messages: { plain: 'no data', withData: 'chain {{chain}} has {{count}} rules' },
      defaultOptions: {},
      create(context) {
        return {
          chain(chain) {
            context.report({ node: chain, messageId: 'plain' });
            context.report({ node: chain, messageId: 'withData', data: { chain: chain.name, count: chain.rules.length } });
            // Never called: these calls only have to fail type checking (tsc --noEmit runs over the tests).
            const typeErrors = () => {
              // @ts-expect-error: unknown message id
              context.report({ node: chain, messageId: 'nope' });
              // @ts-expect-error: placeholder {{count}} missing from data
              context.report({ node: chain, messageId: 'withData', data: { chain: chain.name } });
              // @ts-expect-error: data is required when the message has placeholders
              context.report({ node: chain, messageId: 'withData' });
            };
            void typeErrors;
          },
        };
      },
    });
    const found = lint(snapshot, {}, { rules: [rule] });
    expect(found.map((d) => d.message).slice(0, 2)).toEqual(['no data', 'chain INPUT has 2 rules']);
  });
});
