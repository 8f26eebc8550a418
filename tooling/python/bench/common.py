"""Shared by the `pnpm bench` Python peers: the timing rule and the binary file format.

Timing rule (tooling/bench/README.md, BENCHMARKS.md): `warmup` untimed calls, then `runs` timed
calls; every timed duration is returned and the Node side takes the median, so both sides use
one median function. perf_counter is monotonic and high resolution.

Binary files are raw little-endian arrays; their dtype and shape travel in the request JSON:
{"path": "/tmp/.../boxes.f32", "dtype": "float32", "shape": [N, 4]}.
"""
import time

import numpy as np

DTYPES = {
    'float32': '<f4',
    'float64': '<f8',
    'int32': '<i4',
    'int64': '<i8',
    'uint8': 'u1',
}


def read_array(spec):
    """Reads an array file described by {path, dtype, shape}; checks the element count."""
    dtype = np.dtype(DTYPES[spec['dtype']])
    data = np.fromfile(spec['path'], dtype=dtype)
    shape = tuple(int(d) for d in spec['shape'])
    expected = int(np.prod(shape)) if shape else 1
    if data.size != expected:
        raise ValueError(f"{spec['path']}: {data.size} elements, expected {expected} for shape {shape}")
    return data.reshape(shape)


def write_array(path, array, dtype):
    """Writes `array` as raw little-endian `dtype`; returns the {path, dtype, shape} spec."""
    arr = np.ascontiguousarray(np.asarray(array), dtype=np.dtype(DTYPES[dtype]))
    arr.tofile(path)
    return {'path': path, 'dtype': dtype, 'shape': list(arr.shape)}


def measure(fn, timing, before_each=None):
    """Runs fn under the bench timing rule and returns (last output, durations in ms, warmup done).

    timing = {"warmup": 3, "runs": 7, "slowMs": 2000, "slowWarmup": 1, "slowRuns": 3,
    "verySlowMs": 10000}: `warmup` untimed calls, then `runs` timed ones. When the first warm-up
    call takes at least `slowMs`, the rule switches to `slowWarmup` warm-ups in all and
    `slowRuns` timed runs; when it takes at least `verySlowMs`, that first call is the only
    measurement (reported as 0 warm-ups + 1 run). The Node side prints the counts actually used
    ("3+7", "1+3", "0+1"); src/harness/timing.ts applies the same rule.

    `before_each`, when given, runs untimed before every call and its value is passed to fn:
    used where the peer mutates its inputs (pycocotools) so each call starts from fresh data.
    """
    warmup = int(timing.get('warmup', 3))
    runs = int(timing.get('runs', 7))
    slow_ms = timing.get('slowMs')
    very_slow_ms = timing.get('verySlowMs')

    def call():
        if before_each is None:
            t0 = time.perf_counter()
            result = fn()
        else:
            arg = before_each()
            t0 = time.perf_counter()
            result = fn(arg)
        return result, (time.perf_counter() - t0) * 1e3

    out = None
    done = 0
    while done < warmup:
        out, ms = call()
        done += 1
        if done == 1 and very_slow_ms is not None and ms >= very_slow_ms:
            return out, [ms], 0
        if done == 1 and slow_ms is not None and ms >= slow_ms:
            warmup = max(1, int(timing.get('slowWarmup', 1)))
            runs = min(runs, int(timing.get('slowRuns', 3)))
    times = []
    for _ in range(runs):
        out, ms = call()
        times.append(ms)
    return out, times, done
