// Filled in by the training work; see ../index.ts.
export {};
