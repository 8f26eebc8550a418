// Filled in by the anchors work; see ../index.ts.
export {};
