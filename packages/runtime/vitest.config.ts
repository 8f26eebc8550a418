import { ocelotVitestConfig } from '@ocelot/vitest-config';

// Forks, not threads: onnxruntime-node is a native addon, and the memory test reads the
// process's RSS, which must not include other test files' workers. --expose-gc lets that test
// collect garbage before measuring.
//
// glibc serves large allocations from its heap once its dynamic mmap threshold has grown, and
// freed heap memory is not returned to the OS, so RSS then wanders by ±20 % between identical
// inference loops. A fixed threshold (inherited by the forked workers) makes large buffers
// mmap'ed and unmapped on free, so RSS tracks live memory and a leak stands out. No effect
// off glibc.
process.env.MALLOC_MMAP_THRESHOLD_ ??= '65536';

export default ocelotVitestConfig({ test: { pool: 'forks', execArgv: ['--expose-gc'] } });
