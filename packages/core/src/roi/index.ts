// Filled in by the roi work; see ../index.ts.
export {};
