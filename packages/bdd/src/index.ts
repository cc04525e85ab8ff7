// @chainsight/bdd: reduced ordered binary decision diagrams on typed arrays, and bit-vector fields over them.
export { BddNodeLimitError, BddStore, FALSE, TRUE, type BddOptions } from './manager';
export { Bdd } from './bdd';
export { cubes, evaluate, nodeCount, pathCounter, pickCube, randomAssignment, satCount, support, type Random } from './query';
export {
  atLeast,
  atMost,
  equals,
  fieldCube,
  intervalToPrefixes,
  intervals,
  masked,
  maxValue,
  prefix,
  range,
  valueOf,
  type Field,
  type Interval,
} from './vector';
export { layout, type FieldSpec } from './layout';
