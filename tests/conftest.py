"""Shared test setup.

Several tests press Ctrl-C: they send SIGINT to the CLI or to this process and check what the code does with it.
A test run started in the background by a non-interactive shell (`nohup ... &`, some CI runners) inherits SIGINT
ignored, and so would every process it starts; those tests would then test how the suite was launched, not the
code. Python's usual handler is put back here; processes started from the suite then begin with the default
disposition, as they do from a terminal.
"""

import signal

signal.signal(signal.SIGINT, signal.default_int_handler)
