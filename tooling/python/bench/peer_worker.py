#!/usr/bin/python3
"""The Python side of `pnpm bench`: one long-lived process the Node harness talks to.

Protocol: one JSON request per line on stdin, one JSON response per line on stdout.
  request   {"id": 1, "task": "torchvision.nms", "args": {...}}
  response  {"id": 1, "ok": true, "times": [ms, ...], "warmup": 3, "output": {...}, ...}
            {"id": 1, "ok": false, "missing": "torchvision", "error": "..."}   module absent
            {"id": 1, "ok": false, "error": "traceback ..."}                  anything else
Everything else the peers print (pycocotools is chatty) goes to stderr, which the harness keeps
only to show when something fails.

Single-threaded on purpose, as the Node side is: OMP/MKL variables are set before torch loads,
then torch.set_num_threads(1) / set_num_interop_threads(1) and cv2.setNumThreads(1).
Modules are imported on first use so a machine without OpenCV still runs the torch rows.
"""
import json
import os
import platform
import sys
import traceback

for _var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_NUM_THREADS'):
    os.environ[_var] = '1'

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peers  # noqa: E402  (after the thread variables on purpose)


def probe(args):
    """Versions of Python and of each requested module (null + reason when not importable)."""
    modules = {}
    for name in args.get('modules', []):
        try:
            modules[name] = {'version': peers.module_version(name)}
        except Exception as exc:  # noqa: BLE001 - report any import failure as "missing"
            modules[name] = {'version': None, 'error': f'{type(exc).__name__}: {exc}'}
    return {'python': platform.python_version(), 'executable': sys.executable, 'modules': modules}


TASKS = {'probe': probe, **peers.TASKS}


def protocol_stream():
    """The protocol's own copy of stdout; fd 1 itself then points at stderr.

    `sys.stdout = sys.stderr` alone only redirects Python-level prints: C code (OpenCV, torch,
    pycocotools' extension) writing to fd 1 would land in the middle of a JSON line, the harness
    could not parse that response and would wait for it for ever. With fd 1 moved to stderr,
    nothing but the responses can reach the pipe.
    """
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, 'w', buffering=1, encoding='utf-8')


def main():
    protocol = protocol_stream()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        rid = request.get('id')
        try:
            task = TASKS.get(request.get('task'))
            if task is None:
                raise KeyError(f"unknown task {request.get('task')!r}; known: {sorted(TASKS)}")
            response = {'id': rid, 'ok': True, **task(request.get('args', {}))}
        except ModuleNotFoundError as exc:
            response = {'id': rid, 'ok': False, 'missing': exc.name, 'error': str(exc)}
        except Exception:  # noqa: BLE001 - the harness prints it and marks the row
            response = {'id': rid, 'ok': False, 'error': traceback.format_exc()}
        protocol.write(json.dumps(response) + '\n')
        protocol.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
