"""Settings of the summariser: the offline engine by default, an optional checked LLM."""

from __future__ import annotations

from dataclasses import dataclass

from digest.config.base import parse_float, parse_name, setting, url
from digest.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class SummariserSettings:
    summariser: str = setting(
        "DIGEST_SUMMARISER",
        "extractive",
        "How blurbs are written: extractive (offline; only quotes the article) or llm "
        "(an OpenAI-compatible endpoint; every answer is checked, the extractive blurb is used on failure).",
        parse=parse_name,  # one of digest.summarise.registry's names, passed in by the caller (Plugins)
        section="Summariser",
    )
    llm_base_url: str = setting(
        "DIGEST_LLM_BASE_URL",
        "",
        "API root of the chat-completions endpoint (with DIGEST_SUMMARISER=llm).",
        parse=url,
        example="http://127.0.0.1:11434/v1",
        section="Summariser",
    )
    llm_api_key: str = setting(
        "DIGEST_LLM_API_KEY",
        "",
        "API key for the LLM endpoint; leave empty for local servers such as Ollama.",
        secret=True,
        section="Summariser",
    )
    llm_model: str = setting(
        "DIGEST_LLM_MODEL",
        "",
        "Model name for the LLM endpoint (with DIGEST_SUMMARISER=llm).",
        example="llama3.1",
        section="Summariser",
    )
    llm_timeout: float = setting(
        "DIGEST_LLM_TIMEOUT",
        30.0,
        "Seconds to wait for the LLM before using the extractive blurb.",
        parse=parse_float,
        section="Summariser",
    )

    def check_summariser(self) -> None:
        if self.summariser != "llm":
            return
        if not self.llm_base_url:
            raise ConfigError("DIGEST_LLM_BASE_URL", "is required with DIGEST_SUMMARISER=llm",
                              "set it, e.g. http://127.0.0.1:11434/v1")
        if not self.llm_model:
            raise ConfigError("DIGEST_LLM_MODEL", "is required with DIGEST_SUMMARISER=llm",
                              "set the model name, e.g. llama3.1")
