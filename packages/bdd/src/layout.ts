// Placing fields on variables: each field gets a run of consecutive variables, in the order given. The order is
// the caller's choice because it decides BDD sizes (fields that rules test together belong near each other).

import type { Field } from './vector';

export interface FieldSpec {
  readonly name: string;
  readonly width: number;
}

/** Lays the fields out in order and returns them with the total variable count. Names must be distinct. */
export function layout(specs: readonly FieldSpec[]): { fields: Map<string, Field>; varCount: number } {
  const fields = new Map<string, Field>();
  let next = 0;
  for (const { name, width } of specs) {
    if (fields.has(name)) throw new RangeError(`field ${name} is laid out twice`);
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`field ${name} has width ${width}`);
    fields.set(name, { name, first: next, width });
    next += width;
  }
  return { fields, varCount: next };
}
