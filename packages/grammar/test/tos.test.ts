// The `--tos` value as libxt_tos reads it, shared by the simulator and the packet-set engine.
import { describe, expect, it } from 'vitest';
import { parseTos } from '../src/index';

describe('parseTos', () => {
  it.each([
    ['0x10', { value: 0x10, mask: 0xff }],
    ['0x10/0x3f', { value: 0x10, mask: 0x3f }],
    ['16', { value: 16, mask: 0xff }],
    ['010', { value: 8, mask: 0xff }], // a leading 0 is octal, as xtables_strtoui reads it
    ['Minimize-Delay', { value: 0x10, mask: 0x3f }],
    ['normal-service', { value: 0, mask: 0x3f }],
    ['0x100', null],
    ['0x10/0x3f/1', null],
    ['08', null],
    ['', null],
    ['constructor', null],
  ])('%s', (word, want) => {
    expect(parseTos(word)).toEqual(want);
  });
});
