// Filled in by the coder work; see ../index.ts.
export {};
