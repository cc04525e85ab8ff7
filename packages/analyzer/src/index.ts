// analyzer
export {};
