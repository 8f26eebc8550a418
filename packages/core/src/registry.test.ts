import { describe, expect, it } from 'vitest';
import { DuplicateRegistrationError, Registry, UnknownRegistryEntryError } from './registry.js';

interface Entries extends Record<string, unknown> {
  double: (x: number) => number;
  negate: (x: number) => number;
}

describe('Registry', () => {
  it('registers, looks up and lists entries in order', () => {
    const reg = new Registry<Entries>('op');
    reg.register('double', (x) => 2 * x).register('negate', (x) => -x);
    expect(reg.get('double')(4)).toBe(8);
    expect(reg.get('negate')(4)).toBe(-4);
    expect(reg.names()).toEqual(['double', 'negate']);
    expect(reg.has('double')).toBe(true);
    expect(reg.has('triple')).toBe(false);
  });

  it('rejects duplicate names but allows a deliberate replace', () => {
    const reg = new Registry<Entries>('op');
    reg.register('double', (x) => 2 * x);
    expect(() => reg.register('double', (x) => x)).toThrow(DuplicateRegistrationError);
    reg.replace('double', (x) => x + x + 1);
    expect(reg.get('double')(1)).toBe(3);
  });

  it('names the registry and the known entries on a miss', () => {
    const reg = new Registry<Entries>('detector');
    reg.register('double', (x) => 2 * x);
    const err = (() => {
      try {
        (reg as Registry).get('yolo');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownRegistryEntryError);
    expect((err as Error).message).toBe('detector registry: unknown type "yolo"; known: double');
    expect(() => new Registry('x').get('a')).toThrow(/did you call registerBuiltins/);
  });
});
