import { ocelotVitestConfig } from '@ocelot/vitest-config';

export default ocelotVitestConfig();
