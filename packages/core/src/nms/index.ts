// Filled in by the nms work; see ../index.ts.
export {};
