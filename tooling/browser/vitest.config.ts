import { ocelotVitestConfig } from '@ocelot/vitest-config';

// One Chromium per test file; forks keep browser processes out of worker threads.
export default ocelotVitestConfig({ test: { pool: 'forks' } });
