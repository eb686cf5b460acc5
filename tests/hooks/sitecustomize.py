"""A hang, for the tests of the build's limits only (tests/test_limits.py): Python imports this
module at the start of every process of a test's `reportgen` subprocess, batch workers and their
forkserver included, because the test puts tests/hooks/ first on PYTHONPATH. Nothing in
`generator/` knows of it.

REPORTGEN_TEST_HANG=a,b: the build of a report folder named a or b hangs in its first stage,
as a hostile input that never ends would. REPORTGEN_TEST_HANG_MODE=stuck: with SIGALRM blocked,
as code stuck in a C library, which the build's own alarm cannot stop (only its batch can).
REPORTGEN_TEST_HANG_MODE=killed: the process is killed (SIGKILL) there instead, as the kernel's
OOM killer would. REPORTGEN_TEST_HANG_AT=write: it hangs while writing its first output instead (its staging
folder made). REPORTGEN_TEST_GRACE=S: a batch kills a stuck worker S seconds past its limit (generator.limits.GRACE).
"""

import os

if os.environ.get("REPORTGEN_TEST_HANG"):
    import signal
    import time
    from pathlib import Path

    import generator.build
    import generator.limits

    _HANG = set(os.environ["REPORTGEN_TEST_HANG"].split(","))
    _load = generator.build.load

    def _hang():
        if os.environ.get("REPORTGEN_TEST_HANG_MODE") == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        if os.environ.get("REPORTGEN_TEST_HANG_MODE") == "stuck":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        while True:
            time.sleep(3600)

    def _hanging_load(report_dir, *args, **kwargs):
        if Path(report_dir).name in _HANG:
            _hang()
        return _load(report_dir, *args, **kwargs)

    _write = generator.build.write_and_check

    def _hanging_write(fmt, write, staged, final, diags):
        """Stuck while writing: the staging folder exists, and whoever kills the build removes it."""
        if final.parent.name in _HANG:
            staged.write_bytes(b"half written")
            _hang()
        return _write(fmt, write, staged, final, diags)

    if os.environ.get("REPORTGEN_TEST_HANG_AT") == "write":
        generator.build.write_and_check = _hanging_write
    else:
        generator.build.load = _hanging_load
    if os.environ.get("REPORTGEN_TEST_GRACE"):
        generator.limits.GRACE = float(os.environ["REPORTGEN_TEST_GRACE"])
