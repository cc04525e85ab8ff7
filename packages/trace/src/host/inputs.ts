// The host facts of a trace from the files a user gives: a host-context JSON object (docs/host-facts.md §host-context), iproute2
// JSON captures (iproute.ts), or both — then the object adds what iproute2 cannot print (hostname, sysctls).
import { spanOf, type Diagnostic } from '@chainsight/grammar';
import { parseHostContext, type HostContext, type HostContextResult } from './context';
import { hostContextFromIproute, looksLikeIprouteJson, type IprouteInput } from './iproute';

/** Whether a file's text is host facts (JSON) rather than rules. */
export function looksLikeHostInput(text: string): boolean {
  return /^\s*\{/.test(text) || looksLikeIprouteJson(text);
}

export function readHostInputs(inputs: readonly IprouteInput[]): HostContextResult {
  const diagnostics: Diagnostic[] = [];
  const captures = inputs.filter((i) => looksLikeIprouteJson(i.text));
  const objects = inputs.filter((i) => !looksLikeIprouteJson(i.text));
  let given: HostContext | null = null;
  let givenFile = '';
  let failed = false;
  for (const o of objects) {
    const r = parseHostContext(o.text, o.fileName);
    diagnostics.push(...r.diagnostics);
    if (!r.context) { failed = true; continue; }
    if (given) {
      diagnostics.push(atStart(o.fileName, 'trace/host-context-twice', `a second host context (${givenFile} is one already); give one, or iproute2 captures beside one that holds only "hostname" and "sysctl"`));
      failed = true;
      continue;
    }
    given = r.context;
    givenFile = o.fileName;
  }
  if (!captures.length) return { context: failed ? null : given, diagnostics };
  const r = hostContextFromIproute(captures);
  diagnostics.push(...r.diagnostics);
  if (!r.context || failed) return { context: null, diagnostics };
  if (!given) return { context: r.context, diagnostics };
  if (given.interfaces.length || given.routes.length || given.neighbors.length) {
    diagnostics.push(atStart(givenFile, 'trace/host-context-twice',
      'this host context lists interfaces, routes or neighbours, and iproute2 captures are given too; beside captures, a host context may hold only "hostname" and "sysctl"'));
    return { context: null, diagnostics };
  }
  return { context: { ...r.context, ...(given.hostname ? { hostname: given.hostname } : {}), sysctl: { ...given.sysctl } }, diagnostics };
}

function atStart(file: string, code: string, message: string): Diagnostic {
  return { code, severity: 'error', message, file, span: spanOf(1, 1, 0, 1) };
}
