// A host capture (`chainsight capture --script`, capture.sh) split into its sections, each with the place its
// output starts in the file so that every reader reports the capture's own lines and columns. The format
// (docs/host-facts.md, "The capture file"):
//   # chainsight-capture format=1
//   ### chainsight-capture begin NAME COMMAND...
//   <the command's standard output>
//   <one empty line: the separator the script prints, so that the end marker starts a line>
//   ### chainsight-capture stderr LINE          (each line the command printed on standard error)
//   ### chainsight-capture end NAME exit=N      (`end NAME missing`: the tool is not installed)
import { looksLikeCapture, spanOf, type Diagnostic, type Span } from '@chainsight/grammar';

/** The format this chainsight writes (capture.sh) and reads. */
export const CAPTURE_FORMAT = 1;

/** Every section capture.sh writes, in its order. */
export const CAPTURE_SECTIONS = [
  'hostname', 'kernel', 'iptables-version', 'iptables-save', 'ip6tables-save', 'ebtables-save', 'ipset-save', 'nft-ruleset',
  'ip-addr', 'ip-route', 'ip6-route', 'ip-rule', 'ip6-rule', 'ip-neigh', 'ip-maddr', 'bridge-fdb', 'sysctl',
] as const;

/**
 * Sections added to format 1 after captures were written without them: their absence is a note (what it costs),
 * not a cut-short file. Each sits before sections every capture has, so a capture cut inside it still lacks those.
 */
export const LATER_SECTIONS: ReadonlyMap<string, string> = new Map([
  ['ip-maddr', 'multicast group memberships are unknown (only the groups the kernel joins by itself are known)'],
]);

export type CaptureSectionName = (typeof CAPTURE_SECTIONS)[number];

export interface CaptureSection {
  name: string;
  /** The command line the begin marker names. */
  command: string;
  /** ok: exit status 0; failed: another status; missing: the tool is not installed; truncated: the file ends
   *  inside the section. */
  status: 'ok' | 'failed' | 'missing' | 'truncated';
  exit: number | null;
  /** The command's standard output (without the separator line). */
  text: string;
  /** Where `text` starts in the capture: 1-based line, 0-based offset. */
  origin: { line: number; offset: number };
  stderr: { text: string; span: Span }[];
  /** The begin and end marker lines (end: null when truncated). */
  begin: Span;
  end: Span | null;
}

export interface SplitCapture {
  format: number | null;
  sections: CaptureSection[];
  diagnostics: Diagnostic[];
}

const HEADER_RE = /^\uFEFF?# chainsight-capture format=(\S*)\s*$/;
const MARKER = '### chainsight-capture ';

/** Whether a file is a host capture (detected with the other input formats, in the grammar package). */
export { looksLikeCapture };

export function splitCapture(text: string, fileName: string): SplitCapture {
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], code: string, message: string, span: Span, hint?: string) => {
    diagnostics.push({ code: `capture/${code}`, severity, message, file: fileName, span, ...(hint ? { hint } : {}) });
  };
  const sections: CaptureSection[] = [];
  /** The section being read; its output ends where its first stderr marker or its end marker starts. */
  let open: (CaptureSection & { contentStart: number; outputEnd: number | null }) | null = null;
  let format: number | null = null;
  let lineNo = 0;
  let lastSpan = spanOf(1, 1, 0, 0);
  /** Closes the open section with its output ending at `contentEnd` (the start of the marker line). */
  const close = (contentEnd: number, separator: boolean) => {
    if (!open) return;
    let out = text.slice(open.contentStart, contentEnd);
    // The script prints one newline before the end marker so that it starts a line of its own.
    if (separator) out = out.replace(/\r?\n$/, '');
    const { contentStart: _c, outputEnd: _o, ...section } = open;
    sections.push({ ...section, text: out });
    open = null;
  };

  for (let at = 0; at <= text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (at === text.length && lineNo > 0) break;
    lineNo++;
    const line = text.slice(at, end).replace(/\r$/, '');
    const span = spanOf(lineNo, 1, at, line.length);
    lastSpan = span;
    const next = end + 1;
    if (lineNo === 1) {
      const h = HEADER_RE.exec(line);
      if (!h) report('error', 'header', 'not a chainsight capture: the first line is not "# chainsight-capture format=N"', span);
      else if (!/^\d+$/.test(h[1]!)) report('error', 'header', `capture format '${h[1]}' is not a number`, span);
      else {
        format = Number(h[1]);
        if (format !== CAPTURE_FORMAT) {
          report('error', 'header', `capture format ${format} is not one this chainsight reads (format ${CAPTURE_FORMAT})`, span,
            'capture again with the script this chainsight prints: chainsight capture --script > capture.sh');
        }
      }
      at = next;
      continue;
    }
    if (!line.startsWith(MARKER)) {
      if (!open && line.trim() !== '') report('warning', 'stray-line', 'a line outside any section; ignored', span);
      at = next;
      continue;
    }
    const words = line.slice(MARKER.length).split(' ');
    const kind = words[0];
    if (kind === 'begin') {
      if (open) {
        report('error', 'truncated', `section '${open.name}' has no end marker: its output was cut short`, open.begin);
        close(at, false);
        sections[sections.length - 1]!.status = 'truncated';
      }
      const name = words[1] ?? '';
      if (!name) report('error', 'marker', 'a begin marker without a section name', span);
      if (sections.some((s) => s.name === name)) report('warning', 'duplicate-section', `section '${name}' appears twice; both are read`, span);
      open = {
        name, command: words.slice(2).join(' '), status: 'truncated', exit: null, text: '', origin: { line: lineNo + 1, offset: next },
        stderr: [], begin: span, end: null, contentStart: Math.min(next, text.length), outputEnd: null,
      };
    } else if (kind === 'stderr') {
      if (!open) report('warning', 'stray-line', 'a stderr marker outside any section; ignored', span);
      else {
        open.outputEnd ??= at;
        open.stderr.push({ text: line.slice(MARKER.length + 'stderr '.length), span });
      }
    } else if (kind === 'end') {
      const name = words[1] ?? '';
      const status = words[2] ?? '';
      if (!open || open.name !== name) {
        report('error', 'marker', open ? `end marker of '${name}' inside section '${open.name}'` : `end marker of '${name}' without its begin marker`, span);
        if (!open) { at = next; continue; }
      }
      const m = /^exit=(\d+)$/.exec(status);
      if (status === 'missing') { open.status = 'missing'; }
      else if (m) { open.exit = Number(m[1]); open.status = open.exit === 0 ? 'ok' : 'failed'; }
      else { report('error', 'marker', `end marker status '${status}' is neither exit=N nor missing`, span); open.status = 'failed'; }
      open.end = span;
      close(open.outputEnd ?? at, true);
    } else {
      report('warning', 'marker', `unknown marker '${kind}'; ignored`, span);
    }
    at = next;
  }
  if (open) {
    report('error', 'truncated', `the capture ends inside section '${open.name}' (no end marker): the file was cut short; what it holds is read`, lastSpan);
    close(open.outputEnd ?? text.length, false);
  }
  if (format === CAPTURE_FORMAT) {
    // A section every capture has is absent: the file was cut (the later sections it lacks are named with it);
    // only later sections absent: an older script wrote it.
    const absent: string[] = CAPTURE_SECTIONS.filter((n) => !sections.some((s) => s.name === n));
    const cut = absent.some((n) => !LATER_SECTIONS.has(n));
    for (const [name, cost] of LATER_SECTIONS) {
      if (!cut && absent.includes(name)) report('info', 'older-capture', `the capture has no section '${name}' (written by an older capture script): ${cost}`, lastSpan);
    }
    if (cut) {
      report('error', 'truncated', `the capture has no section ${absent.map((n) => `'${n}'`).join(', ')}: the file was cut short or edited`, lastSpan,
        'capture again: sudo sh capture.sh > host.capture');
    }
  }
  return { format, sections, diagnostics };
}
