// Filled in by the boxes work; see ../index.ts.
export {};
