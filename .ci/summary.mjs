// Prints the closing line CI reads ("N passed, N failed") from vitest's JSON reports, and exits non-zero
// when anything failed or a run broke before reporting. Arguments: pairs of a report file and the exit status
// of the run that wrote it (the README's test command, then the run with the shared corpus hidden).
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (let i = 0; i < args.length; i += 2) {
  const [file, status] = [args[i], args[i + 1]];
  if (!existsSync(file)) {
    console.log(`no test report was written to ${file} (the install or the build failed?)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (args.length > 2) console.log(`${file}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
  passed += p;
  failed += f;
  skipped += s;
  // A run that failed without a failed test (an error outside the tests) or passed nothing counts as one failure.
  if (f === 0 && (p === 0 || Number(status) !== 0)) {
    console.log(`${file}: the run exited ${status} with ${p} passed tests`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
