// What precedes the kernel's text on a real log line, and where that text starts. Kernel messages reach users
// through several tools, each adding its own prefix:
//   dmesg                `[12345.678901] TRACE: …`, `dmesg -T`: `[Tue Nov 24 10:00:01 2026] TRACE: …`,
//                        `dmesg -x`: `kern  :warn  : [12345.678901] TRACE: …`, `dmesg -r` / kmsg: `<4>[12345.678901] …`
//   syslog (rsyslog)     `Nov 24 10:00:01 host kernel: [12345.678901] TRACE: …` (the bracket only when the kernel
//                        adds printk times), RFC 3339 `2026-11-24T10:00:01.123456+00:00 host kernel: TRACE: …`
//   journalctl           `Nov 24 10:00:01 host kernel: TRACE: …`, `-o short-iso`, `-o short-precise`,
//                        `-o short-monotonic`: `[12345.678901] host kernel: TRACE: …`
// The trace formats are recognised by their own anchors (`TRACE: t:c:…`, ` TRACE: 2 1a2b3c4d …`, `PACKET: …`,
// `trace id …`), so an unknown prefix is kept verbatim rather than rejected.
import type { LogPrefix } from './types';

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const KMSG_LEVEL = /^<\d{1,3}>/;
// dmesg -x: "kern  :warn  : " (facility and level padded to the same width).
const DMESG_X = /^[a-z]+\s*:[a-z]+\s*: /;
const BSD_SYSLOG = new RegExp(`^(${MONTH}\\s+\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) (\\S+) ([^\\s:\\[]+)(?:\\[\\d+\\])?: `);
const ISO_SYSLOG = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) (\S+) ([^\s:[]+)(?:\[\d+\])?: /;
const MONOTONIC_JOURNAL = /^\[\s*(\d+\.\d+)\] (\S+) ([^\s:[]+)(?:\[\d+\])?: /;
const DMESG_TIME = new RegExp(`^\\[\\s*(\\d+\\.\\d+|${DAY} ${MONTH}\\s+\\d{1,2} \\d\\d:\\d\\d:\\d\\d \\d{4})\\] ?`);
const KERNEL_TAG = /^kernel: /;

/** Parse the text before the kernel's message. Unknown prefixes keep time/host null. */
export function parsePrefix(text: string): LogPrefix {
  let rest = text;
  let time: string | null = null;
  let host: string | null = null;
  rest = rest.replace(KMSG_LEVEL, '').replace(DMESG_X, '');
  const syslog = BSD_SYSLOG.exec(rest) ?? ISO_SYSLOG.exec(rest) ?? MONOTONIC_JOURNAL.exec(rest);
  if (syslog) {
    time = syslog[1]!;
    host = syslog[2]!;
    rest = rest.slice(syslog[0].length);
  } else {
    rest = rest.replace(KERNEL_TAG, '');
  }
  rest = rest.replace(KMSG_LEVEL, '');
  const dmesg = DMESG_TIME.exec(rest);
  if (dmesg) {
    // The printk time, when the syslog line carried none of its own (or as the more precise one for dmesg).
    time ??= dmesg[1]!;
    rest = rest.slice(dmesg[0].length);
  }
  return { text, time, host };
}

/** Does this text look like the start of a log line of its own (a syslog/journal/dmesg prefix)? */
export function hasLogPrefix(line: string): boolean {
  const t = line.replace(KMSG_LEVEL, '');
  return BSD_SYSLOG.test(t) || ISO_SYSLOG.test(t) || MONOTONIC_JOURNAL.test(t) || DMESG_TIME.test(t) || DMESG_X.test(t) || KERNEL_TAG.test(t);
}
