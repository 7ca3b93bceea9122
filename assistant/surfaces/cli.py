"""The ``assistant`` command. Each subcommand parses, hands off to :class:`Assistant`,
and prints; nothing heavy is imported until a subcommand needs it."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from assistant.surfaces.options import Parser, date_value, passages_count, seconds
from assistant.surfaces.options import user_path as _user_path

HOW_TO_LIST = "`assistant list` shows the id, title and date of every indexed article"


def _parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=_user_path,
        help="index location (default: $ASSISTANT_DATA_DIR or ~/.local/share/news-assistant)",
    )
    common.add_argument(
        "--chroma-url", help="use a Chroma server instead of the embedded store ($ASSISTANT_CHROMA_URL)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")

    parser = Parser(
        prog="assistant", description="Ask questions about news articles; get answers that cite their passages."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="add or re-sync articles (incremental)")
    p.add_argument(
        "paths",
        nargs="*",
        type=_user_path,
        metavar="PATH",
        help="files or folders (default: everything already indexed, or the shipped corpus)",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="re-embed everything into a fresh collection (after changing embedder or chunking)",
    )
    p.add_argument("--wait", type=seconds, metavar="SECONDS", help="wait this long for another running indexer")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=cmd_index)

    p = sub.add_parser("remove", parents=[common], help="remove documents, or a whole indexed folder, on purpose")
    p.add_argument("doc_ids", nargs="*", metavar="DOC_ID")
    p.add_argument(
        "--root",
        action="append",
        default=[],
        type=_user_path,
        metavar="DIR",
        help="remove every document indexed from this folder",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("status", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser("list", parents=[common], help="the indexed articles: id, date and title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)

    for name, helptext in (
        ("ask", "answer one question with citations"),
        ("retrieve", "show the passages a question retrieves"),
    ):
        p = sub.add_parser(name, parents=[common], help=helptext)
        p.add_argument("question", metavar="QUESTION" if name == "ask" else "QUERY")
        _answer_options(p, backend=name == "ask")
        p.set_defaults(run=cmd_ask if name == "ask" else cmd_retrieve)

    p = sub.add_parser("chat", parents=[common], help="a conversation in the terminal (JSON lines when piped)")
    _answer_options(p, backend=True)
    p.set_defaults(run=cmd_chat)

    _plugged_commands(sub, common)  # `serve`, from the ui package

    p = sub.add_parser("mcp", parents=[common], help="serve read-only MCP tools over stdio (search, ask, list, status)")
    p.set_defaults(run=cmd_mcp)
    return parser


# Commands a layer above this one adds: each entry point of this group (pyproject.toml) is
# a function (subparsers, common options parser) -> None that adds its subcommand, whose
# ``run`` gets the parsed args. The page's `assistant serve` comes from ui/ this way.
COMMAND_GROUP = "news_assistant.commands"


def _plugged_commands(sub, common: argparse.ArgumentParser) -> None:
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name):
        entry.load()(sub, common)


def _answer_options(p: argparse.ArgumentParser, backend: bool) -> None:
    p.add_argument("-k", type=passages_count, dest="top_k", metavar="K", help="passages to retrieve")
    p.add_argument(
        "--doc",
        action="append",
        dest="doc_ids",
        metavar="DOC_ID",
        help="only search this document (repeatable; `assistant list` shows the ids)",
    )
    p.add_argument(
        "--since",
        type=date_value,
        metavar="DATE",
        help="only articles dated on or after (YYYY-MM-DD, today, yesterday, last week, 7d)",
    )
    p.add_argument("--until", type=date_value, metavar="DATE", help="only articles dated on or before (same forms)")
    p.add_argument("--json", action="store_true", help="print JSON")
    if backend:
        from assistant.llm.backends import BACKENDS

        p.add_argument("--backend", choices=BACKENDS, help="answer backend")


def make_assistant(args):
    """The :class:`Assistant` a command's parsed ``args`` ask for (data dir, Chroma URL, ...)."""
    from assistant.api import Assistant
    from assistant.config import Settings
    from index import tune_malloc

    tune_malloc(fixed_mmap_threshold=getattr(args, "long_running", False))  # before any thread starts

    overrides = {k: getattr(args, k, None) for k in ("data_dir", "chroma_url", "backend", "top_k", "host", "port")}
    if getattr(args, "wait", None) is not None:
        overrides["lock_wait_seconds"] = args.wait
    return Assistant(Settings.load(**overrides))


def _progress():
    from assistant.surfaces.progress import console_progress

    return console_progress("embedding")


def cmd_index(args) -> int:
    report = make_assistant(args).sync(args.paths or None, rebuild=args.rebuild, progress=_progress())
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_sync(report)
    if report.skipped and not (report.added or report.updated or report.unchanged):
        print(
            f"error: nothing was indexed: all {len(report.skipped)} file(s) were skipped (each named above with "
            "its reason); fix or replace them and run `assistant index` again",
            file=sys.stderr,
        )
        return 1
    return 0


def _print_sync(report) -> None:
    for skipped in report.skipped:
        print(f"skipped {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning {warning['path']}: {warning['warning']}", file=sys.stderr)
    print(
        f"added {report.added}, updated {report.updated}, removed {report.removed}, unchanged {report.unchanged}, "
        f"skipped {len(report.skipped)}; {report.chunks_embedded} chunks embedded in {report.seconds:.2f} s"
    )


def cmd_remove(args) -> int:
    if not args.doc_ids and not args.root:
        print("name DOC_IDs or --root DIR to remove (`assistant list` shows the ids)", file=sys.stderr)
        return 2
    gone = make_assistant(args).remove(args.doc_ids, args.root)
    print(json.dumps({"removed": gone}) if args.json else f"removed {len(gone)} document(s)")
    return 0


def cmd_status(args) -> int:
    status = make_assistant(args).status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
    else:
        for key, value in status.items():
            print(f"{key:>14}: {value}")
    return 0


def cmd_list(args) -> int:
    from assistant.surfaces.render import article_list

    articles = article_list(make_assistant(args))
    if args.json:
        print(json.dumps({"count": len(articles), "articles": articles}, ensure_ascii=False))
        return 0
    if not articles:
        print("No articles are indexed yet: `assistant index PATH` adds them.")
    for a in articles:
        print(f"{a['doc_id']}\t{a['date'] or 'undated'}\t{a['title']}")
    return 0


def _filters(args) -> dict:
    return {"doc_ids": args.doc_ids, "date_from": args.since, "date_to": args.until}


def _warmed(bot, args):
    """``bot`` with its embedder loading in the background while Chroma and the BM25
    mirror open (the one-question commands' cold start); a --doc no article has is a usage error."""
    warm_up = getattr(bot.index.embedder, "warm_up", None)
    if warm_up is not None:
        warm_up()
    _check_doc_ids(bot, args.doc_ids)
    return bot


def _check_doc_ids(bot, doc_ids: list[str] | None) -> None:
    from assistant.errors import UsageError

    known = bot.engine.retriever.mirror.current().doc_numbers
    unknown = [d for d in dict.fromkeys(doc_ids or ()) if d not in known]
    if known and unknown:  # an empty index is said by the question itself
        raise UsageError(f"--doc {' --doc '.join(unknown)} matches no indexed article; {HOW_TO_LIST}")


def cmd_retrieve(args) -> int:
    from assistant.surfaces.render import passage_dict, print_passages

    passages = _warmed(make_assistant(args), args).retrieve(args.question, k=args.top_k, **_filters(args))
    if args.json:
        print(json.dumps({"passages": [passage_dict(p) for p in passages]}, ensure_ascii=False))
    else:
        print_passages(passages)
    return 0


def cmd_ask(args) -> int:
    from assistant.surfaces.markup import plain_question
    from assistant.surfaces.render import print_answer

    question = plain_question(args.question)  # markup is not part of the question
    bot = _warmed(make_assistant(args), args)
    bot.start_loading_reader()
    answer = bot.ask(question, k=args.top_k, **_filters(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print_answer(answer)
    return 0


def cmd_chat(args) -> int:
    from assistant.surfaces.terminal_chat import run_chat

    bot = make_assistant(args)
    if args.doc_ids:
        _check_doc_ids(bot, args.doc_ids)
    return run_chat(bot, json_lines=args.json or not sys.stdin.isatty(), k=args.top_k, filters=_filters(args))


def cmd_mcp(args) -> int:
    from assistant.surfaces.mcp_server import serve_stdio

    serve_stdio(make_assistant(args).settings)
    return 0


# One question and out: they write nothing but their output (and the BM25 cache, whose
# file is complete before it is renamed), so the process may end without tearing down.
READ_ONLY = frozenset({"ask", "retrieve", "status", "list"})


def main(argv: list[str] | None = None) -> int:
    """Run one command; ``argv`` None means this process is the command (`assistant ...`,
    `python -m assistant ...`), which then ends here after a read-only command (see
    :func:`_end_now`); with ``argv`` given (tests, scripts) it returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    status = _run(args)
    if argv is None and args.command in READ_ONLY:
        _end_now(status)
    return status


def _end_now(status: int) -> None:
    """Exit without the interpreter's teardown: freeing ~10^5 cached passages and terms,
    the ONNX session and Chroma's bindings takes 0.3-1 s of a cold `assistant ask` and
    serves nobody once the answer is printed."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(status)


def _run(args) -> int:
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `assistant retrieve ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:
        from assistant.errors import UsageError, user_errors

        if _interrupted(exc):  # Ctrl-C inside an import (onnxruntime) surfaces as ImportError
            return 130
        if isinstance(exc, user_errors()):
            print(f"error: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, UsageError) else 1
        if exc.__class__.__name__ == "ValidationError":  # pydantic: a bad ASSISTANT_* value
            print(f"error: invalid setting: {exc}", file=sys.stderr)
            return 1
        raise


def _interrupted(exc: BaseException | None) -> bool:
    """``exc`` was raised while handling a KeyboardInterrupt (somewhere down its chain)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
