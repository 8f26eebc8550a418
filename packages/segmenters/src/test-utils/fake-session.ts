/**
 * A `Session` stand-in for decoder tests (shared: @ocelot/test-utils). Here the default image
 * input is called `input`, and feeds are not kept (the tiling tests measure memory over many
 * runs); count runs with `runs`.
 */
import {
  type FakeSession,
  type FakeSessionOptions,
  imageInput,
  fakeSession as sharedFakeSession,
} from '@ocelot/test-utils/fake-session';

export * from '@ocelot/test-utils/fake-session';

/** A fake session; default one float32 `[1, 3, h, w]` input named `input`, feeds not kept. */
export function fakeSession(options: FakeSessionOptions): FakeSession {
  return sharedFakeSession({ inputs: imageInput('input'), recordFeeds: false, ...options });
}
