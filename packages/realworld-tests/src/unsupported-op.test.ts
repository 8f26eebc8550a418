/**
 * A model that cannot run fails with an error naming the operator and the execution provider —
 * not an onnxruntime stack trace — end to end through a detector card (`loadDetector`).
 * The graph (tooling/python/fixtures/realworld_unsupported_int8.py) is int8-quantised with a
 * QLinearConv that onnxruntime implements for u8·u8, u8·s8 and s8·s8 but not s8·u8.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDetector } from '@ocelot/detectors/node';
import { ModelLoadError, UnsupportedOperatorError } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';

const card = join(
  dirname(fileURLToPath(import.meta.url)),
  '__fixtures__',
  'int8-qlinearconv',
  'model.json',
);

describe('a model with an operator the provider lacks', () => {
  it('rejects with UnsupportedOperatorError naming QLinearConv and the cpu provider', async () => {
    const error = await loadDetector(card, { session: { executionProviders: ['cpu'] } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedOperatorError);
    expect(error).toBeInstanceOf(ModelLoadError);
    const e = error as UnsupportedOperatorError;
    expect(e.code).toBe('E_UNSUPPORTED_OPERATOR');
    expect(e.operator).toBe('QLinearConv');
    expect(e.domain).toBe('');
    expect(e.provider).toBe('cpu');
    expect(e.model).toBe('int8-qlinearconv/model'); // card id / file role
    expect(e.message).toMatch(
      /^int8-qlinearconv\/model: operator QLinearConv is not supported by onnxruntime's cpu execution provider \(/,
    );
    // one line, no native stack trace
    expect(e.message).not.toMatch(/\n|\.cc:\d+|onnxruntime_src/);
  });

  it('with the default provider list (GPU probes first) the failing provider is still named', async () => {
    const error = (await loadDetector(card).catch((e: unknown) => e)) as UnsupportedOperatorError;
    expect(error).toBeInstanceOf(UnsupportedOperatorError);
    expect(error.operator).toBe('QLinearConv');
    expect(error.provider).toBe('cpu');
    expect(error.message).toContain(`onnxruntime's cpu execution provider`);
  });
});
