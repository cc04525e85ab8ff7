// RuleTester (`@chainsight/analyzer/testing`), after typescript-eslint's: each rule is tested with literal
// `valid` and `invalid` cases; invalid cases list every expected finding with its exact line and column.
// Duplicate cases are rejected. Test-framework agnostic: pass `describe`/`it` (vitest, mocha, node:test).
import { parseSnapshot, type Family, type InputFormat, type Severity } from '@chainsight/grammar';
import type { LintConfig } from './lint/config';
import type { AnyRule } from './lint/define';
import { collectFindings, type Finding } from './lint/linter';

export interface CaseBase {
  /** Test title (default: the first rule line of the code). */
  name?: string;
  /** The snapshot text (iptables-save unless `format` says otherwise). */
  code: string;
  /** Rule options, merged over the defaults. */
  options?: Record<string, unknown>;
  /** Other configuration (allowChains). */
  config?: Omit<LintConfig, 'rules'>;
  format?: InputFormat;
  /** Default: ipv4 (bridge for ebtables formats). */
  family?: Family;
  /** Parse errors fail the case unless set (a rule must cope with what the parser recovered). */
  allowParseErrors?: boolean;
}

export type ValidCase = CaseBase | string;

export interface ExpectedRelated {
  line: number;
  column: number;
  messageId?: string;
}

export interface ExpectedFinding {
  messageId: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Checked when given: the interpolated message data. */
  data?: Record<string, string | number>;
  /** Checked when given: the final message text. */
  message?: string;
  severity?: Severity;
  /** Checked when given: every related location, in order. */
  related?: ExpectedRelated[];
}

export interface InvalidCase extends CaseBase {
  errors: ExpectedFinding[];
}

export interface RuleTests {
  valid: readonly ValidCase[];
  invalid: readonly InvalidCase[];
}

type Describe = (name: string, fn: () => void) => void;
type It = (name: string, fn: () => void) => void;

export class RuleTester {
  static describe: Describe | undefined;
  static it: It | undefined;
  private readonly describe: Describe;
  private readonly it: It;

  constructor(hooks: { describe?: Describe; it?: It } = {}) {
    const g = globalThis as { describe?: Describe; it?: It };
    const d = hooks.describe ?? RuleTester.describe ?? g.describe;
    const i = hooks.it ?? RuleTester.it ?? g.it;
    if (!d || !i) throw new Error('RuleTester needs describe() and it(): pass them to the constructor or set RuleTester.describe/it');
    this.describe = d;
    this.it = i;
  }

  run(rule: AnyRule, tests: RuleTests): void {
    const seen = new Set<string>();
    const key = (c: CaseBase) => JSON.stringify([c.code, c.options ?? null, c.config ?? null, c.format ?? null, c.family ?? null]);
    for (const c of [...tests.valid.map(asCase), ...tests.invalid]) {
      const k = key(c);
      if (seen.has(k)) throw new Error(`${rule.id}: duplicate test case:\n${c.code}`);
      seen.add(k);
    }
    if (!tests.valid.length || !tests.invalid.length) throw new Error(`${rule.id}: needs at least one valid and one invalid case`);
    this.describe(rule.id, () => {
      this.describe('valid', () => {
        for (const c of tests.valid.map(asCase)) {
          this.it(title(c), () => {
            const found = run(rule, c);
            if (found.length) throw new Error(`expected no finding, got:\n${found.map(show).join('\n')}`);
          });
        }
      });
      this.describe('invalid', () => {
        for (const c of tests.invalid) {
          this.it(title(c), () => {
            if (!c.errors.length) throw new Error('an invalid case must expect at least one finding');
            const found = run(rule, c);
            compare(rule, found, c.errors);
          });
        }
      });
    });
  }
}

const asCase = (c: ValidCase): CaseBase => (typeof c === 'string' ? { code: c } : c);

function title(c: CaseBase): string {
  return c.name ?? c.code.split('\n').filter((l) => /^\s*-[AIN]\s/.test(l)).slice(-1)[0]?.trim() ?? c.code.split('\n')[0]!;
}

function run(rule: AnyRule, c: CaseBase): Finding[] {
  const opts: { fileName: string; format?: InputFormat; family?: Family } = { fileName: 'test.rules' };
  if (c.format) opts.format = c.format;
  // IPv4 unless said otherwise: tests should not depend on family detection.
  const bridge = c.format?.startsWith('ebtables') || c.family === 'bridge';
  if (!bridge) opts.family = c.family ?? 'ipv4';
  else if (c.family) opts.family = c.family;
  const parsed = parseSnapshot(c.code, opts);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length && !c.allowParseErrors) {
    throw new Error(`the test code does not parse:\n${errors.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`).join('\n')}`);
  }
  const setting = c.options ? [rule.defaultSeverity, c.options] as const : rule.defaultSeverity;
  const config: LintConfig = { ...c.config, rules: new Map([[rule.id, setting]]) };
  return collectFindings(parsed.snapshot, config, { rules: [rule] })
    .sort((a, b) => a.span.start.offset - b.span.start.offset || (a.messageId < b.messageId ? -1 : 1));
}

const show = (f: Finding) => `  ${f.span.start.line}:${f.span.start.column} ${f.messageId}: ${f.message}`;

function compare(rule: AnyRule, found: Finding[], expected: ExpectedFinding[]): void {
  const problems: string[] = [];
  if (found.length !== expected.length) problems.push(`expected ${expected.length} finding(s), got ${found.length}`);
  expected.forEach((e, i) => {
    const f = found[i];
    if (!f) return;
    const at = `finding ${i + 1}`;
    if (!(e.messageId in rule.messages)) problems.push(`${at}: '${e.messageId}' is not a message of ${rule.id}`);
    if (f.messageId !== e.messageId) problems.push(`${at}: messageId ${f.messageId}, expected ${e.messageId}`);
    if (f.span.start.line !== e.line || f.span.start.column !== e.column) {
      problems.push(`${at}: at ${f.span.start.line}:${f.span.start.column}, expected ${e.line}:${e.column}`);
    }
    if (e.endLine !== undefined && f.span.end.line !== e.endLine) problems.push(`${at}: ends on line ${f.span.end.line}, expected ${e.endLine}`);
    if (e.endColumn !== undefined && f.span.end.column !== e.endColumn) problems.push(`${at}: ends at column ${f.span.end.column}, expected ${e.endColumn}`);
    if (e.message !== undefined && f.message !== e.message) problems.push(`${at}: message\n    ${f.message}\n  expected\n    ${e.message}`);
    if (e.severity !== undefined && f.severity !== e.severity) problems.push(`${at}: severity ${f.severity}, expected ${e.severity}`);
    if (e.data) {
      for (const [k, v] of Object.entries(e.data)) if (f.data[k] !== v) problems.push(`${at}: data.${k} = ${JSON.stringify(f.data[k])}, expected ${JSON.stringify(v)}`);
    }
    if (e.related) {
      const got = f.related.map((r) => `${r.span.start.line}:${r.span.start.column}${r.messageId ? ` ${r.messageId}` : ''}`);
      const want = e.related.map((r) => `${r.line}:${r.column}${r.messageId ? ` ${r.messageId}` : ''}`);
      const gotCmp = f.related.map((r, j) => `${r.span.start.line}:${r.span.start.column}${e.related![j]?.messageId ? ` ${r.messageId}` : ''}`);
      if (gotCmp.join(', ') !== want.join(', ')) problems.push(`${at}: related [${got.join(', ')}], expected [${want.join(', ')}]`);
    }
  });
  if (problems.length) throw new Error(`${problems.join('\n')}\nfindings:\n${found.map(show).join('\n') || '  (none)'}`);
}
