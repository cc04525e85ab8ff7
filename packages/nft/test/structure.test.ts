// Tables, base chains, sets and maps, flowtables and objects: what each declaration becomes in the model.
import { describe, expect, it } from 'vitest';
import { parseNft, parseNftJson, parseNftText, printRuleset, countRules } from '../src/index';

const ruleset = `table netdev edge {
	chain ing {
		type filter hook ingress device "lo" priority -500; policy accept;
	}
}
table inet fw {
	counter hits {
		packets 0 bytes 0
	}

	ct helper ftp {
		type "ftp" protocol tcp
		l3proto ip
	}

	set allowed {
		type ipv4_addr . inet_service
		flags interval,timeout
		timeout 1h
		elements = { 10.0.0.0/8 . 22 timeout 1h expires 59m, 192.168.1.1 . 80 comment "web" }
	}

	map ports {
		type inet_service : verdict
		elements = { 22 : accept, 80 : jump web }
	}

	flowtable ft {
		hook ingress priority filter
		devices = { "lo" }
	}

	chain input {
		comment "main input"
		type filter hook input priority filter + 10; policy drop;
		tcp dport vmap @ports
	}

	chain web {
		accept
	}

	chain pre {
		type nat hook prerouting priority dstnat - 5; policy accept;
	}
}
`;

describe('declarations', () => {
  const r = parseNftText(ruleset, 'fw.nft');
  const fw = r.ruleset.tables.get('inet fw');

  it('parses without diagnostics and prints back byte for byte', () => {
    expect(r.diagnostics).toEqual([]);
    expect(printRuleset(r.ruleset)).toBe(ruleset);
  });

  it.each([
    ['input', { type: 'filter', hook: 'input', priority: { name: 'filter', offset: 10 }, policy: 'drop' }],
    ['pre', { type: 'nat', hook: 'prerouting', priority: { name: 'dstnat', offset: -5 }, policy: 'accept' }],
    ['web', undefined],
  ])('base chain spec of %s', (name, base) => {
    expect(fw?.chains.get(name)?.base).toEqual(base);
  });

  it('netdev chain with device and a numeric priority', () => {
    expect(r.ruleset.tables.get('netdev edge')?.chains.get('ing')?.base).toEqual({ type: 'filter', hook: 'ingress', devices: ['"lo"'], priority: { offset: -500 }, policy: 'accept' });
  });

  it('sets: concatenated key type, flags, timeout, element options', () => {
    const s = fw?.sets.get('allowed');
    expect(s?.keyType).toEqual(['ipv4_addr', 'inet_service']);
    expect(s?.flags).toEqual(['interval', 'timeout']);
    expect(s?.timeout).toBe('1h');
    expect(s?.elements?.[0]?.options).toEqual([{ kind: 'timeout', value: '1h' }, { kind: 'expires', value: '59m' }]);
    expect(s?.elements?.[0]?.key).toEqual({ kind: 'concat', parts: [{ kind: 'prefix', addr: { kind: 'value', text: '10.0.0.0' }, len: 8 }, { kind: 'value', text: '22' }] });
  });

  it('verdict maps: data are verdicts', () => {
    const m = fw?.sets.get('ports');
    expect(m?.isMap).toBe(true);
    expect(m?.dataType).toEqual(['verdict']);
    expect(m?.elements?.map((e) => e.data)).toEqual([{ kind: 'verdict', verdict: 'accept' }, { kind: 'verdict', verdict: 'jump', chain: 'web' }]);
  });

  it('objects and flowtables keep their bodies', () => {
    expect(fw?.objects.get('ct helper ftp')?.lines).toEqual([['type', '"ftp"', 'protocol', 'tcp'], ['l3proto', 'ip']]);
    expect(fw?.flowtables.get('ft')).toMatchObject({ hook: 'ingress', priority: { name: 'filter', offset: 0 }, devices: ['"lo"'] });
    expect(fw?.chains.get('input')?.comment).toBe('main input');
  });
});

describe('the command form of nft -f scripts', () => {
  it('applies add/insert in order', () => {
    const script = [
      'add table ip t',
      'add chain ip t c { type filter hook input priority 0; policy accept; }',
      'add rule ip t c tcp dport 22 accept',
      'insert rule ip t c ct state established accept',
      'add set ip t s { type ipv4_addr; }',
      'add element ip t s { 10.0.0.1, 10.0.0.2 }',
      'define lan = { 10.0.0.0/8 }',
      'add rule ip t c ip saddr $lan accept',
    ].join('\n');
    const r = parseNftText(script);
    expect(r.diagnostics).toEqual([]);
    const t = r.ruleset.tables.get('ip t');
    expect(t?.chains.get('c')?.rules.map((x) => x.stmts[0]?.kind === 'match' && x.stmts[0].left.kind)).toEqual(['ct', 'payload', 'payload']);
    expect(t?.sets.get('s')?.elements?.length).toBe(2);
    expect(r.ruleset.defines.get('lan')).toBe('{ 10.0.0.0/8 }');
  });
});

describe('JSON', () => {
  const json = JSON.stringify({ nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'ip', name: 'f', handle: 1 } },
    { chain: { family: 'ip', table: 'f', name: 'in', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
    { rule: { family: 'ip', table: 'f', chain: 'in', handle: 2, expr: [
      { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth0' } },
      { match: { op: 'in', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [22, { range: [1000, 2000] }] } } },
      { counter: { packets: 0, bytes: 0 } },
      { accept: null },
    ] } },
  ] });

  it('is detected and read into the same model as the text', () => {
    const r = parseNft(json, 'f.json');
    expect(r.format).toBe('nft-json');
    expect(r.diagnostics).toEqual([]);
    expect(countRules(r.ruleset)).toBe(1);
    expect(printRuleset(r.ruleset, { handles: false })).toBe(
      'table ip f {\n\tchain in {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tiifname "eth0" tcp dport { 22, 1000-2000 } counter packets 0 bytes 0 accept\n\t}\n}\n',
    );
  });

  // JSON carries priorities as numbers; nft lists them by name where one is within 10 and allowed at the hook
  // (rule.c prio2str), as nft 1.0.6 does: dstnat only at prerouting, srcnat only at postrouting.
  it.each([
    ['ip', 'prerouting', -150, 'mangle'],
    ['ip', 'prerouting', -90, 'dstnat + 10'],
    ['inet', 'input', 10, 'filter + 10'],
    ['ip', 'output', -110, '-110'],
    ['ip', 'output', -100, '-100'],
    ['ip', 'input', 100, '100'],
    ['ip', 'postrouting', 100, 'srcnat'],
    ['ip', 'input', 150, '150'],
    ['bridge', 'prerouting', -300, 'dstnat'],
    ['bridge', 'output', 100, 'out'],
    ['netdev', 'ingress', -5, 'filter - 5'],
  ] as const)('prints the %s %s priority %d as `%s`', (family, hook, prio, printed) => {
    const doc = JSON.stringify({ nftables: [
      { table: { family, name: 't' } },
      { chain: { family, table: 't', name: 'c', type: 'filter', hook, prio, policy: 'accept', ...(family === 'netdev' ? { dev: 'lo' } : {}) } },
    ] });
    const r = parseNftJson(doc, 'p.json');
    expect(r.diagnostics).toEqual([]);
    expect(printRuleset(r.ruleset)).toContain(` priority ${printed};`);
  });

  it('keeps an unknown statement verbatim with a warning at its path', () => {
    const doc = '{"nftables":[{"table":{"family":"ip","name":"f"}},{"chain":{"family":"ip","table":"f","name":"c"}},\n{"rule":{"family":"ip","table":"f","chain":"c","expr":[{"frobnicate":{"x":1}}]}}]}';
    const r = parseNftJson(doc, 'u.json');
    expect(r.diagnostics.map((d) => [d.severity, d.path, d.span.start.line])).toEqual([['warning', 'nftables[2].rule.expr[0].frobnicate', 2]]);
    expect(r.ruleset.tables.get('ip f')?.chains.get('c')?.rules[0]?.stmts[0]).toMatchObject({ kind: 'verbatim', text: '{"frobnicate":{"x":1}}' });
  });
});
