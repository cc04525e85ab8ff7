// Kernel round trip: load a ruleset into a throwaway `cs-` network namespace with `nft -f`, list it back with
// `nft list ruleset`, and check that this package reads the kernel's listing without error, prints it back byte
// for byte, and finds the same rules as in the file it loaded. Needs the kernel lab (Linux, root, nft); see
// packages/kernel-lab/README.md. Skipped with a banner elsewhere, a failure under CI=true.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findTool, withLab } from '@chainsight/kernel-lab';
import { describeLab } from '../../kernel-lab/test/lab-gate';
import { sharedDir } from '../../../test-support/shared';
import { countRules, parseNftText, printRuleset } from '../src/index';

const builtIn = `table inet cs_nft_rt {
	set allowed {
		type ipv4_addr . inet_service
		flags interval
		elements = { 10.0.0.0/8 . 22, 192.168.0.1 . 80 }
	}

	map ports {
		type inet_service : verdict
		elements = { 22 : accept, 80 : jump web }
	}

	chain input {
		type filter hook input priority filter + 10; policy accept;
		ct state established,related accept
		iifname "lo" accept comment "loopback"
		ip saddr . tcp dport @allowed counter packets 0 bytes 0 accept
		tcp dport vmap @ports
		meta l4proto { tcp, udp } th dport 53 jump {
			ip saddr 127.0.0.0/8 accept
		}
		tcp flags & (fin | syn | rst | ack) == syn limit rate over 10/second burst 5 packets drop
		meta mark set 0x00000001 ct mark set meta mark
		reject with icmpx admin-prohibited
	}

	chain web {
		log prefix "web " level info accept
	}

	chain pre {
		type nat hook prerouting priority dstnat - 5; policy accept;
		tcp dport 8080 dnat ip to 10.0.0.2:80
	}

	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" masquerade random,persistent
	}
}
`;

const noExpiry = (s: string) => s.replace(/ expires [0-9dhms]+/g, '');
const corpus = join(sharedDir, 'corpus-nft');
const cases: Array<[string, string]> = [['built-in', builtIn]];
if (existsSync(join(corpus, 'INDEX.tsv'))) {
  for (const line of readFileSync(join(corpus, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)) {
    const [path, source, format, validated] = line.split('\t') as [string, string, string, string];
    // nft's own listings that nft 1.0.6 loads as they are (libvirt's need a virbr0 link: left out).
    if (format === 'nft-text' && validated === 'yes' && path.endsWith('.list.nft') && source !== 'libvirt') cases.push([path, readFileSync(join(corpus, path), 'utf8')]);
  }
}

describeLab('nft kernel round trip', () => {
  it('every ruleset loads, lists, and reads back the same', async () => {
    const nft = findTool('nft');
    expect(nft, 'nft is installed').toBeTruthy();
    const failures: string[] = [];
    await withLab(async (lab) => {
      const ns = await lab.addNamespace('nftrt');
      for (const [name, text] of cases) {
        await lab.execOk(ns, ['nft', 'flush', 'ruleset']);
        const load = await lab.exec(ns, ['nft', '-f', '-'], { input: text, timeoutMs: 20_000 });
        if (load.code !== 0) {
          failures.push(`${name}: nft -f failed: ${load.stderr.trim()}`);
          continue;
        }
        const listed = (await lab.execOk(ns, ['nft', 'list', 'ruleset'])).stdout;
        const fromKernel = parseNftText(listed, `${name} (listed)`);
        const errors = fromKernel.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) failures.push(`${name}: ${errors.length} errors reading the listing: ${errors[0]?.message}`);
        if (printRuleset(fromKernel.ruleset) !== listed) failures.push(`${name}: printing the kernel's listing does not give it back`);
        const fromFile = parseNftText(text, name);
        if (countRules(fromKernel.ruleset) !== countRules(fromFile.ruleset)) failures.push(`${name}: ${countRules(fromFile.ruleset)} rules in the file, ${countRules(fromKernel.ruleset)} listed`);
        // `expires` counts down between the listing in the corpus and this one; everything else must match.
        if (name !== 'built-in' && noExpiry(printRuleset(fromFile.ruleset)) !== noExpiry(listed)) failures.push(`${name}: the file printed differs from the kernel's listing`);
      }
    });
    expect(failures).toEqual([]);
  }, 240_000);
});
