export { diffNftRulesets, type NftAlignOp, type NftDiffOptions } from './diff';
export { renderNftDiff, type NftDiffStyle } from './render';
export { ruleText, elementText } from './keys';
export { kubeRef } from './kube';
export type { KubeRef, NftAt, NftChange, NftDiffResult } from './types';
