"""Where people and programs reach the assistant: the ``assistant`` CLI, the
OpenAI-compatible API, the MCP server, the terminal chat, the LlamaIndex retriever, and
the plain-text rendering they share. Each hands off to :class:`assistant.api.Assistant`."""

__all__ = ["cli", "llama_retriever", "mcp_server", "openai_api", "progress", "render", "terminal_chat"]
