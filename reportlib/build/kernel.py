"""A report kernel: ipykernel's own, with its one TCP socket moved to IPC.

Besides the sockets named in its connection file (IPC, see :mod:`reportlib.build.render`), an
ipykernel listens on a random TCP port of 127.0.0.1 for output that *forked* children of the
notebook send to IOPub. :func:`private_iopub_pipe` binds that pipe to a Unix socket in a
folder only this user can enter instead, so a build opens no TCP socket at all.

``python -m reportlib.build.kernel -f CONNECTION_FILE`` starts a kernel like
``python -m ipykernel_launcher``; kernels forked by the zygote apply the same patch.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile


KERNEL_DIR_PREFIX = "reportlib-kernel-"  # (reportlib.build.render.private_kernel_dir)


def private_iopub_pipe(kernel_dir: str | None = None) -> None:
    """Make ipykernel's IOPub subprocess pipe an IPC socket in a private 0700 folder:
    ``kernel_dir``, the kernel's own folder that its manager removes when the kernel has
    stopped (also when it was stopped at once, with no exit handlers run), else a new one."""
    import zmq
    from ipykernel import iostream

    def setup_pipe_in(self) -> None:
        if kernel_dir:
            folder = kernel_dir
        else:
            folder = tempfile.mkdtemp(prefix="reportlib-iopub-")  # 0700
            atexit.register(shutil.rmtree, folder, True)
        self._pipe_uuid = os.urandom(16)
        pipe_in = self.socket.context.socket(zmq.PULL)
        pipe_in.linger = 0
        self._pipe_address = f"ipc://{folder}/iopub-pipe"
        pipe_in.bind(self._pipe_address)
        self._pipe_in = iostream.ZMQStream(pipe_in, self.io_loop)
        self._pipe_in.on_recv(self._handle_pipe_msg)

    def setup_pipe_out(self):
        ctx = zmq.Context()  # a new context after the fork, as ipykernel's own
        pipe_out = ctx.socket(zmq.PUSH)
        pipe_out.linger = 3000
        pipe_out.connect(self._pipe_address)
        return ctx, pipe_out

    iostream.IOPubThread._setup_pipe_in = setup_pipe_in
    iostream.IOPubThread._setup_pipe_out = setup_pipe_out


def own_kernel_dir(argv: list[str]) -> str | None:
    """The private folder of the connection file (``-f``) when a report kernel manager made it."""
    for flag, value in zip(argv, argv[1:]):
        if flag == "-f":
            folder = os.path.dirname(os.path.abspath(value))
            if os.path.basename(folder).startswith(KERNEL_DIR_PREFIX):
                return folder
    return None


def main() -> None:
    import sys

    private_iopub_pipe(own_kernel_dir(sys.argv))
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
