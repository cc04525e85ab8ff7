// Mutated rulesets never throw, and every diagnostic is located inside the input. Seeds: lines of the corpus
// (when present) and a built-in ruleset.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNft, type Diagnostic } from '../src/index';
import { sharedDir } from '../../../test-support/shared';

const builtIn = `table inet f {
	set s {
		type ipv4_addr . inet_service
		flags interval
		elements = { 10.0.0.0/8 . 22, 192.168.0.1 . 80 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		iifname "lo" accept comment "loopback"
		ip saddr . tcp dport @s counter packets 0 bytes 0 accept
		meta l4proto { tcp, udp } th dport 53 jump { ip saddr 127.0.0.0/8 accept }
		tcp flags & (fin | syn | rst | ack) == syn limit rate over 10/second drop
	}
}
`;
const corpus = join(sharedDir, 'corpus-nft');
const seeds = [builtIn];
for (const f of ['nftables-shell/nft-f__sample-ruleset.nft', 'kube-proxy/proxier_test__TestOverallNFTablesRules.list.nft', 'kube-proxy/proxier_test__baseRules.json']) {
  if (existsSync(join(corpus, f))) seeds.push(readFileSync(join(corpus, f), 'utf8'));
}

const pieces = ['{', '}', '"', ';', ',', ':', '.', '@', '$', '#', '\n', ' ', 'jump', 'map', 'vmap', '-', '/', '(', ')', '[', '\\', '\u0000'];
const mutation = fc.record({
  seed: fc.nat(seeds.length - 1),
  ops: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constantFrom('delete', 'insert', 'cut'), piece: fc.constantFrom(...pieces), len: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 6 }),
});

function mutate(text: string, ops: Array<{ at: number; kind: string; piece: string; len: number }>): string {
  let t = text;
  for (const op of ops) {
    const i = Math.floor(op.at * t.length);
    if (op.kind === 'delete') t = t.slice(0, i) + t.slice(i + op.len);
    else if (op.kind === 'insert') t = t.slice(0, i) + op.piece + t.slice(i);
    else t = t.slice(0, i);
  }
  return t;
}

function located(text: string, d: Diagnostic): boolean {
  const lines = text.split('\n').length;
  const { start, end } = d.span;
  return d.file === 'fuzz' && start.line >= 1 && start.line <= lines && start.column >= 1 && start.offset >= 0 && start.offset <= text.length && end.offset >= start.offset && end.offset <= text.length + 1 && d.message.length > 0;
}

describe('fuzz', () => {
  it('mutated rulesets never throw and every diagnostic is located', () => {
    fc.assert(
      fc.property(mutation, ({ seed, ops }) => {
        const text = mutate(seeds[seed] as string, ops);
        const r = parseNft(text, 'fuzz');
        for (const d of r.diagnostics) expect(located(text, d), JSON.stringify(d)).toBe(true);
      }),
      { numRuns: 400, seed: 16 },
    );
  });
});
