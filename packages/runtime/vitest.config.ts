import { ocelotVitestConfig } from '@ocelot/vitest-config';

// Forks, not threads: onnxruntime-node is a native addon, and the memory test reads the
// process's RSS, which must not include other test files' workers. --expose-gc lets that test
// collect garbage before measuring.
export default ocelotVitestConfig({ test: { pool: 'forks', execArgv: ['--expose-gc'] } });
