/** Test helper: the fixture reader of ../../training/__fixtures__/read-fixture.ts. */
export * from '../../training/__fixtures__/read-fixture.js';
