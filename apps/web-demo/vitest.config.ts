import { ocelotVitestConfig } from '@ocelot/vitest-config';

// The end-to-end test drives Chromium: forks keep browser processes out of worker threads.
export default ocelotVitestConfig({
  test: {
    include: ['src/**/*.test.ts', 'plugin/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
  },
});
