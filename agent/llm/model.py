"""The chat model: built from the settings, called with retries, its tokens counted.

The API key comes from the provider's own environment variable (OPENAI_API_KEY, ...) and is
never read, stored or printed by dossier. A local OpenAI-compatible server (Ollama, vLLM, a
llama.cpp server) needs no key; a placeholder is sent so the client library accepts the call.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from agent.config import Settings
from agent.errors import ConfigError, DossierError
from knowledge.yaml_text import load_yaml
from tools.retry import retry_after, waiting

PRICES_FILE = Path(__file__).with_name("prices.yaml")
#: Sent to a keyless local server: the OpenAI client refuses to run without some key.
LOCAL_SERVER_KEY = "no-key-needed"

T = TypeVar("T")


class LlmError(DossierError):
    """The model could not be reached, kept failing after retries, or gave nothing usable."""


def chat_model(settings: Settings) -> BaseChatModel:
    """The chat model `DOSSIER_LLM` names, with the timeout set and the client's own retries
    off (ours, below, count tokens and honour Retry-After the same way for every provider)."""
    from langchain.chat_models import init_chat_model

    if not settings.llm:
        raise ConfigError("DOSSIER_LLM is not set")
    provider, _, name = settings.llm.partition(":")
    if not provider or not name:
        raise ConfigError(
            f"DOSSIER_LLM={settings.llm!r}: expected provider:model, e.g. openai:gpt-4o-mini"
        )
    kwargs: dict[str, Any] = {
        "temperature": 0,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0,
    }
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
        if provider == "openai" and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = LOCAL_SERVER_KEY
    try:
        model = init_chat_model(settings.llm, **kwargs)
    except Exception as exc:  # unknown provider, missing integration package, missing key
        raise ConfigError(f"DOSSIER_LLM={settings.llm!r}: {_one_line(exc)}") from exc
    if not isinstance(model, BaseChatModel):
        raise ConfigError(f"DOSSIER_LLM={settings.llm!r} is not a chat model ({name or provider})")
    return model


@dataclass
class Usage:
    """Tokens spent on one brief, summed over every model call, against its budget."""

    budget: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    #: Calls whose response carried no token counts (some local servers omit them).
    unreported: int = 0
    steps: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Prompt plus completion tokens so far."""
        return self.prompt_tokens + self.completion_tokens

    @property
    def left(self) -> int:
        """Tokens still allowed for this brief (never negative)."""
        return max(0, self.budget - self.total)

    def add(self, message: BaseMessage, step: str) -> None:
        """Count one response's tokens under a step name (research, synthesis, repair)."""
        self.calls += 1
        self.steps.append(step)
        counts = message.usage_metadata if isinstance(message, AIMessage) else None
        if not counts:
            self.unreported += 1
            return
        self.prompt_tokens += int(counts.get("input_tokens", 0))
        self.completion_tokens += int(counts.get("output_tokens", 0))

    def cost(self, settings: Settings) -> float | None:
        """Estimated US dollars, from the configured or listed prices; None when unknown."""
        price = prices_for(settings)
        if price is None or self.unreported:
            return None
        per_input, per_output = price
        return round(
            (self.prompt_tokens * per_input + self.completion_tokens * per_output) / 1e6, 6
        )

    def metadata(self, settings: Settings) -> dict[str, Any]:
        """What a brief's metadata records about its model calls."""
        cost = self.cost(settings)
        return {
            "llm_calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "token_budget": self.budget,
            "estimated_cost_usd": cost if cost is not None else "unknown",
            "calls_without_token_counts": self.unreported,
        }


def prices_for(settings: Settings) -> tuple[float, float] | None:
    """(input, output) US dollars per million tokens for the configured model, if known."""
    if settings.llm_price_input is not None and settings.llm_price_output is not None:
        return settings.llm_price_input, settings.llm_price_output
    listed = _price_list().get(settings.llm or "")
    return (float(listed["input"]), float(listed["output"])) if listed else None


@functools.cache
def _price_list() -> dict[str, dict[str, float]]:
    data = load_yaml(PRICES_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): v for k, v in data.get("models", {}).items()}


def invoke(
    call: Callable[[], T], settings: Settings, *, sleep: Callable[[float], None] | None = None
) -> T:
    """`call()` with retries on rate limits, server errors, timeouts and dropped connections;
    any other error, or the last retry failing, is an `LlmError` naming the cause."""
    retrying = Retrying(
        stop=stop_after_attempt(settings.llm_retries + 1),
        wait=_wait,
        retry=retry_if_exception(transient),
        reraise=True,
    )
    if sleep is not None:
        retrying.sleep = sleep
    try:
        return retrying(call)
    except DossierError:
        raise
    except Exception as exc:  # provider SDKs raise their own types; all end here
        raise LlmError(f"model {settings.llm!r} failed: {_one_line(exc)}") from exc


def tool_calling(bind: Callable[[], T], settings: Settings) -> T:
    """`bind()` (tools or a schema bound to the model), or an `LlmError` when the model's
    LangChain integration cannot call tools."""
    try:
        return bind()
    except NotImplementedError as exc:
        raise LlmError(f"model {settings.llm!r} does not support tool calling") from exc


def transient(exc: BaseException) -> bool:
    """Worth retrying: 408, 409, 429 and 5xx statuses, timeouts and connection errors."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500
    name = type(exc).__name__
    return any(word in name for word in ("Timeout", "Connection", "RateLimit", "Overloaded"))


_backoff = wait_exponential_jitter(initial=1, max=30, jitter=1)


def _asked(failure: BaseException) -> float | None:
    """The wait a provider's Retry-After header asked for (OpenAI and Anthropic errors carry
    the response)."""
    headers = getattr(getattr(failure, "response", None), "headers", None)
    return retry_after(headers.get("retry-after")) if headers is not None else None


_wait = waiting(_backoff, _asked)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
