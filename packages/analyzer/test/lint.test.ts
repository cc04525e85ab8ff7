// The linter: configuration, severities, inline suppression, ordering and the rule framework's type checks.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { LintConfigError, defineRule, disabledBy, lint, resolveConfig, RULES } from '@chainsight/analyzer';

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
    expect(codes()).toEqual([
      '3:1 warning lint/no-unreferenced-chain',
      '5:1 warning lint/no-unreachable-rule',
      '5:10 error lint/no-undefined-target',
      '6:1 warning lint/no-unreachable-rule',
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
    [{ rules: { 'no-unreferenced-chain': ['warning', { allow: 'OLD' }] } }, "rules.no-unreferenced-chain: option 'allow' must be a list of strings"],
    [{ rules: { 'no-chain-loop': ['error', { strict: true }] } }, "rules.no-chain-loop: unknown option 'strict' (the rule has no options)"],
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
    ['nothing here', null],
    [null, null],
  ] as const)('%j disables %j', (comment, expected) => {
    const d = disabledBy(comment);
    expect(d === 'all' || d === null ? d : [...d]).toEqual(expected);
  });

  it('suppresses only findings located on that rule', () => {
    const text = TEXT.replace('-A INPUT -j NOSUCH', '-A INPUT -m comment --comment "chainsight-disable no-undefined-target" -j NOSUCH');
    const s = parseSnapshot(text, { fileName: 'h', family: 'ipv4' }).snapshot;
    expect(lint(s).map((d) => d.code)).toEqual(['lint/no-unreferenced-chain', 'lint/no-unreachable-rule', 'lint/no-unreachable-rule']);
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
