/**
 * The backbone registry: name → `BackboneSpec`.
 *
 * Contract (see `Registry` in @ocelot/core): names are unique (`register` throws
 * `DuplicateRegistrationError`; `replace` overrides on purpose), `get` throws
 * `UnknownRegistryEntryError` listing the known names, nothing registers on import —
 * `registerBuiltins(registry)` adds torchvision's backbones and a plugin exports
 * `register(registry)`. Entries are plain data, so a registry can be listed, serialised or
 * shown in a UI.
 */
import { Registry } from '@ocelot/core';
import type { BackboneSpec } from './spec.js';

/** A registry of backbone specs by name. */
export type BackboneRegistry = Registry<Record<string, BackboneSpec>>;

/** An empty backbone registry; add torchvision's specs with `registerBuiltins`. */
export function createBackboneRegistry(): BackboneRegistry {
  return new Registry<Record<string, BackboneSpec>>('backbone');
}
