"""What ``assistant serve`` runs: one FastAPI app on one port, with the OpenAI-compatible API
under ``/v1`` and the chat page mounted at ``/``.

Gradio is imported only once the checks that can fail at once have passed (a busy port, a
host reachable from other machines without a password and a key): those end in one line.
"""

from __future__ import annotations

import errno
import signal
import socket
import sys
import types

from assistant.errors import ConfigError

LOOPBACK_NAMES = ("localhost",)


def _auth(settings) -> tuple[str, str] | None:
    user, password = settings.auth_user, settings.auth_password
    if bool(user) != bool(password):
        raise ConfigError("set both ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD to protect the page, or neither")
    return (user, password.get_secret_value()) if user else None


def _check_exposure(settings, auth) -> None:
    """Beyond this machine, the page needs a password and the API a key: without them anyone
    who reaches the port could ask, upload articles and re-index."""
    if _is_loopback(settings.host) or (auth is not None and settings.api_key is not None):
        return
    missing = [
        name
        for name, unset in (
            ("ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD", auth is None),
            ("ASSISTANT_API_KEY", settings.api_key is None),
        )
        if unset
    ]
    raise ConfigError(
        f"serving on {settings.host} makes the page and the API reachable from other machines: "
        f"set {' and '.join(missing)} first, or serve on 127.0.0.1"
    )


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOOPBACK_NAMES


def _port(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: one the OS picks), before anything slow runs,
    so that a busy port ends ``assistant serve`` at once with one line saying what to do."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart after a stop
        sock.bind(address)
    except OSError as exc:
        why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror or exc})"
        raise ConfigError(
            f"port {port} on {host} {why}; choose another with --port P (or --port 0 for a free one)"
        ) from None
    return sock


def _console_progress(assistant):
    """A bar on a terminal, a line per tenth in a log (see assistant.surfaces.progress)."""
    from assistant.surfaces.progress import console_progress

    started = assistant.status()["chunks"]  # 0 on a first start; more after one cut short
    return console_progress("finishing the indexing that was cut short" if started else "indexing the shipped articles")


def _import_gradio():
    """Gradio without what the page leaves unused, which would stay resident for the life of
    the process: its MCP server support (``mcp``, ~20 MB beyond what Gradio shares with it;
    Gradio skips it when ``mcp`` cannot be imported) and pandas (~40 MB; imported at the top
    of ``gradio.caching`` for hashing DataFrames, loaded here on first use instead). Both stay
    importable afterwards."""
    blocked = "mcp" not in sys.modules
    deferred = "pandas" not in sys.modules
    if blocked:
        sys.modules["mcp"] = None  # makes `import mcp` raise ImportError
    if deferred:
        sys.modules["pandas"] = _OnFirstUse("pandas")
    try:
        import gradio
    finally:
        if blocked and sys.modules.get("mcp", ...) is None:
            del sys.modules["mcp"]
        if deferred and isinstance(sys.modules.get("pandas"), _OnFirstUse):
            del sys.modules["pandas"]  # later imports get the real module; gradio keeps the stand-in
    return gradio


class _OnFirstUse(types.ModuleType):
    """Stands in for a module and imports it when an attribute is first read."""

    def __getattr__(self, name: str):
        import importlib

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def add_command(sub, common) -> None:
    """Registers ``assistant serve`` with the CLI (entry point group ``news_assistant.commands``
    in pyproject.toml): the CLI never imports the UI."""
    p = sub.add_parser("serve", parents=[common], help="start the chat page and the OpenAI-compatible API (/v1)")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    from assistant.surfaces.options import port_number

    p.add_argument("--port", type=port_number, help="port (default 7860; 0: any free port)")
    p.set_defaults(run=_serve_command, long_running=True)


def _serve_command(args) -> int:
    from assistant.surfaces.cli import make_assistant

    serve(make_assistant(args))
    return 0


def serve(assistant) -> None:
    """Serve the page and the OpenAI-compatible API (``/v1``) on ``settings.host:settings.port``
    until interrupted; the shipped articles are indexed first if the index is empty."""
    settings = assistant.settings
    auth = _auth(settings)
    _check_exposure(settings, auth)
    sock = _port(settings.host, settings.port)
    gr = _import_gradio()  # seconds to import: only once the checks above have passed
    import uvicorn

    from assistant.surfaces.openai_api import create_app
    from ui.app import CSS, build_app

    sys.stderr.write("checking the index...\n")
    report = assistant.ensure_indexed(progress=_console_progress(assistant))
    if report is not None:
        sys.stderr.write(
            f"indexed {report.added} articles ({report.chunks_embedded} chunks) in {report.seconds:.1f} s\n"
        )
    refused_above = int(max(4 * settings.upload_max_mb, 50) * 2**20)  # Gradio refuses; below it we explain
    server_app = gr.mount_gradio_app(
        create_app(assistant),  # /v1 first; the page takes every other path
        build_app(assistant),
        path="/",
        auth=auth,  # Gradio's login then guards the page, its queue and its uploads
        css=CSS,
        max_file_size=refused_above,
        run_history=False,
        footer_links=["api"],
        ssr_mode=False,
        server_name=settings.host,
        server_port=sock.getsockname()[1],
    )
    assistant.warm_up()  # the first answer then starts as fast as the others
    _banner(assistant, sock, auth)
    server = _server(uvicorn.Config(server_app, log_level="warning", timeout_graceful_shutdown=1))
    server.run(sockets=[sock])
    if server.interrupted:  # Ctrl-C: exit status 130 (the CLI's KeyboardInterrupt) like `dev.py run`
        raise KeyboardInterrupt


def _server(config):
    """A uvicorn server that remembers a Ctrl-C. uvicorn stops on SIGINT, then raises it again
    with the handler it found, which does nothing when SIGINT was ignored as we started (a
    shell's background job: `assistant serve &`, then `kill -INT`): serving would end with
    status 0 as if it had been asked to, so ``serve`` raises KeyboardInterrupt itself."""
    import uvicorn

    class Server(uvicorn.Server):
        interrupted = False

        def handle_exit(self, sig: int, frame) -> None:
            self.interrupted = self.interrupted or sig == signal.SIGINT
            super().handle_exit(sig, frame)

    return Server(config)


def _banner(assistant, sock: socket.socket, auth) -> None:
    """Where the page is, what it serves from, and how it is protected."""
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    status = assistant.status()
    settings = assistant.settings
    sys.stderr.write(
        f"News assistant on {url}  (OpenAI-compatible API: {url}/v1)\n"
        f"  data directory: {settings.data_dir}\n"
        f"  {status['documents']} articles indexed ({status['chunks']} chunks); answer backend: {settings.backend}\n"
        f"  page password: {'on' if auth else 'off'}; API key: {'on' if settings.api_key else 'off'}\n"
        "Press Ctrl+C to stop.\n"
    )
