// One check for documentation tests that hold a documented JSON example against real output: every value of the
// example is in the output at the same place (the output may hold more).
import { expect } from 'vitest';

export function containsPart(whole: unknown, part: unknown, where: string): void {
  if (Array.isArray(part)) {
    expect(Array.isArray(whole), where).toBe(true);
    part.forEach((p, i) => containsPart((whole as unknown[])[i], p, `${where}[${i}]`));
  } else if (part && typeof part === 'object') {
    for (const [k, v] of Object.entries(part)) containsPart((whole as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else expect(whole, where).toEqual(part);
}
