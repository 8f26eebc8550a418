/** The recipe image twin of tooling/python/fixtures/detectors_common.py (shared: @ocelot/test-utils). */
export * from '@ocelot/test-utils/recipe-image';
