// Validates a SARIF log against the OASIS SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5, shipped in the npm
// package @microsoft/jest-sarif; no network at test time). Shared with the CLI's lint tests.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $schema?: string; id?: string; $id?: string };

// The schema is draft-07 and uses `id`; Ajv 8 wants `$id` and no meta-schema lookup over the network.
const { $schema: _meta, id, ...rest } = schema;
// unicodeRegExp off: the schema's language-tag pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` is not valid with the `u` flag.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile({ ...rest, $id: id ?? schema.$id });

/** Schema violations as `path: message` lines; empty when the log is valid. */
export function sarifErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
