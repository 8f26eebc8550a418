// Filled in by the masks work; see ../index.ts.
export {};
