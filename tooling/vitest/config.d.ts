import type { UserConfig } from 'vitest/config';
export declare function ocelotVitestConfig(overrides?: UserConfig): UserConfig;
