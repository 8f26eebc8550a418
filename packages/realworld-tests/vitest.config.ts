import { ocelotVitestConfig } from '@ocelot/vitest-config';

// Real models on real photos: a whole file can take tens of seconds on the shared 2-core machine.
export default ocelotVitestConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } });
