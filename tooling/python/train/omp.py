"""How torch's OpenMP worker threads wait between parallel regions; every training script imports
this module before torch loads, because OpenMP reads the setting once, at start-up.

The default is OMP_WAIT_POLICY=ACTIVE (workers spin): the recipes are meant to run alone on the
machine, and there spinning made a training step faster. Interleaved probes on the idle 2-core
VM (torch 1.13, 2 threads): a U-Net step of 16 × 128² 0.11–0.12 s against 0.16–0.19 s with
PASSIVE, of 16 × 256² 0.42–0.43 s against 0.49–0.50 s, a Mask R-CNN step 0.33–0.36 s against
0.37 s. The weights are the same either way (the policy changes how threads wait, not what they
compute).

On a machine that is doing other work, set OMP_WAIT_POLICY=PASSIVE before running a recipe:
spinning workers then take CPU from the other jobs (it tripled a recipe's CPU time on a shared
machine).
"""
import os

os.environ.setdefault('OMP_WAIT_POLICY', 'ACTIVE')
