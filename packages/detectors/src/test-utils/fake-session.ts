/** A `Session` stand-in for decoder tests (shared: @ocelot/test-utils). */
export * from '@ocelot/test-utils/fake-session';
