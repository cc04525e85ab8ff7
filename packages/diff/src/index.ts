// diff
export {};
