"""The chat model: which errors are retried, how long to wait, tokens and cost counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.config import Settings, load_settings
from agent.errors import ConfigError
from agent.llm.model import LOCAL_SERVER_KEY, LlmError, Usage, chat_model, invoke, transient

LOCAL_URL = "http://127.0.0.1:9/v1"


class APITimeoutError(Exception):
    pass


class APIConnectionError(Exception):
    pass


class StatusError(Exception):
    def __init__(self, status_code: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.response = _Response(headers or {})


class _Response:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(tmp_path, **overrides)


def _flaky(failures: list[Exception]) -> tuple[list[int], Any]:
    """A call that raises each of `failures` in turn, then returns "ok"; and its call log."""
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "ok"

    return calls, call


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_retryable_statuses_are_transient(status: int) -> None:
    assert transient(StatusError(status))


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_transient(status: int) -> None:
    assert not transient(StatusError(status))


def test_transient_by_exception_name() -> None:
    assert transient(APITimeoutError())
    assert transient(APIConnectionError())
    assert not transient(ValueError("bad"))


def test_invoke_retries_a_transient_failure(tmp_path: Path) -> None:
    waits: list[float] = []
    calls, call = _flaky([StatusError(503), APITimeoutError()])
    assert invoke(call, _settings(tmp_path), sleep=waits.append) == "ok"
    assert len(calls) == 3
    assert len(waits) == 2


def test_invoke_gives_up_after_the_last_retry(tmp_path: Path) -> None:
    settings = _settings(tmp_path, llm="openai:gpt-4o-mini", llm_retries=2)
    calls, call = _flaky([StatusError(429)] * 10)
    with pytest.raises(LlmError, match="HTTP 429"):
        invoke(call, settings, sleep=lambda s: None)
    assert len(calls) == settings.llm_retries + 1


def test_invoke_does_not_retry_a_permanent_error(tmp_path: Path) -> None:
    waits: list[float] = []
    calls, call = _flaky([StatusError(401)])
    with pytest.raises(LlmError, match="HTTP 401"):
        invoke(call, _settings(tmp_path), sleep=waits.append)
    assert len(calls) == 1
    assert waits == []


@pytest.mark.parametrize(
    ("header", "wait"), [("2", 2.0), ("3600", 60.0), ("Wed, 21 Oct 2099 07:28:00 GMT", 60.0)]
)
def test_retry_after_sets_the_wait_capped(tmp_path: Path, header: str, wait: float) -> None:
    waits: list[float] = []
    _, call = _flaky([StatusError(429, {"retry-after": header})])
    invoke(call, _settings(tmp_path), sleep=waits.append)
    assert waits == [wait]


def test_usage_sums_reported_tokens_and_counts_unreported() -> None:
    usage = Usage(budget=100)
    counts = {"input_tokens": 40, "output_tokens": 20, "total_tokens": 60}
    usage.add(AIMessage(content="a", usage_metadata=counts), "research")
    usage.add(AIMessage(content="b", usage_metadata=counts), "synthesis")
    usage.add(AIMessage(content="c"), "repair")
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total) == (80, 40, 120)
    assert (usage.calls, usage.unreported) == (3, 1)
    assert usage.steps == ["research", "synthesis", "repair"]
    assert usage.left == 0


def test_cost_from_configured_and_listed_prices(tmp_path: Path) -> None:
    usage = Usage(budget=10_000_000, prompt_tokens=2_000_000, completion_tokens=1_000_000)
    priced = _settings(tmp_path, llm="nosuch:model", llm_price_input=1.0, llm_price_output=3.0)
    assert usage.cost(priced) == pytest.approx(5.0)
    listed = _settings(tmp_path, llm="openai:gpt-4o-mini")
    assert usage.cost(listed) == pytest.approx(2 * 0.15 + 0.60)
    assert usage.metadata(listed)["estimated_cost_usd"] == pytest.approx(0.90)


def test_cost_unknown_for_unlisted_model_or_unreported_call(tmp_path: Path) -> None:
    usage = Usage(budget=1000, prompt_tokens=10)
    unlisted = _settings(tmp_path, llm="nosuch:model")
    assert usage.cost(unlisted) is None
    assert usage.metadata(unlisted)["estimated_cost_usd"] == "unknown"
    usage.add(AIMessage(content="no counts"), "research")
    assert usage.cost(_settings(tmp_path, llm="openai:gpt-4o-mini")) is None


def test_chat_model_for_a_keyless_local_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = _settings(tmp_path, llm="openai:gpt-4o-mini", llm_base_url=LOCAL_URL)
    model = chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == LOCAL_URL
    assert model.request_timeout == settings.llm_timeout_s
    assert model.max_retries == 0
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == LOCAL_SERVER_KEY


def test_chat_model_keeps_the_api_key_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    model = chat_model(_settings(tmp_path, llm="openai:gpt-4o-mini", llm_base_url=LOCAL_URL))
    assert isinstance(model, ChatOpenAI)
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "sk-secret-123"
    assert "sk-secret-123" not in repr(model)
    assert "sk-secret-123" not in str(model)


def test_chat_model_refuses_unknown_provider_and_unset_model(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nosuch:model"):
        chat_model(_settings(tmp_path, llm="nosuch:model"))
    with pytest.raises(ConfigError, match="not set"):
        chat_model(_settings(tmp_path))
