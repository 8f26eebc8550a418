// Shared vitest config for every Ocelot package.
// The "@ocelot/source" export condition maps each workspace package to its src/index.ts,
// so tests always run against current sources without a build step.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, mergeConfig } from 'vitest/config';

const SOURCE_CONDITION = '@ocelot/source';

/** @param {import('vitest/config').UserConfig} [overrides] */
export function ocelotVitestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
      ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 60_000,
        pool: 'threads',
        maxWorkers: 2,
      },
    }),
    overrides,
  );
}
