// trace
export {};
