"""The scripted LLM server answers the real OpenAI and LangChain clients, offline, with usage
counted by the offline o200k_base encoding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import bpe_openai
import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from evals import tokens
from evals.llm_server import Fault, ScriptedLLM

SAMPLES = [
    "hello world",
    "I'm LOUD, they'll see.\n\n  x = 12345;",
    "Ünïcödé 日本語 🎉 — <b>tags</b>",
    "",
]
PARIS = {"name": "weather", "arguments": '{"city": "Paris"}'}
WEATHER_CALL = {"function": {"name": "weather", "arguments": {"city": "Paris"}}}


@pytest.fixture
def llm() -> Iterator[ScriptedLLM]:
    """A started server with an empty script and no responder."""
    with ScriptedLLM() as server:
        yield server


def _client(llm: ScriptedLLM) -> openai.OpenAI:
    return openai.OpenAI(base_url=llm.base_url, api_key="sk-test", max_retries=0)


def _chat(llm: ScriptedLLM) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o-mini", base_url=llm.base_url, api_key="sk-test", max_retries=0)


@pytest.mark.parametrize("text", SAMPLES)
def test_offline_encoding_matches_bpe_openai(text: str) -> None:
    expected = bpe_openai.get_encoding("o200k_base").encode(text)
    assert tokens.encoding().encode(text) == expected
    assert tokens.count(text) == len(expected)


def test_count_messages_follows_the_cookbook() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "name": "ana", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": None, "tool_calls": [{"function": PARIS}]},
    ]
    expected = (
        3 * 3
        + tokens.count("system") + tokens.count("Be brief.")
        + tokens.count("user") + tokens.count("ana") + 1 + tokens.count("hi")
        + tokens.count("assistant") + tokens.count("weather") + tokens.count(PARIS["arguments"])
        + 3
    )  # fmt: skip
    assert tokens.count_messages(messages) == expected
    assert tokens.count_tools([]) == 0


def test_text_reply_through_openai(llm: ScriptedLLM) -> None:
    llm.script({"content": "Hello there."})
    messages: list[Any] = [{"role": "user", "content": "Say hello."}]
    reply = _client(llm).chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert reply.choices[0].message.content == "Hello there."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == "gpt-4o-mini"
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == tokens.count_messages(messages)
    assert reply.usage.completion_tokens == tokens.count("Hello there.")
    assert llm.requests[0]["messages"] == messages
    assert llm.headers[0]["authorization"] == "Bearer sk-test"


def test_tool_call_reply_through_openai(llm: ScriptedLLM) -> None:
    llm.script({"tool_calls": [WEATHER_CALL]})
    tools: list[Any] = [
        {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}
    ]
    messages: list[Any] = [{"role": "user", "content": "Weather?"}]
    reply = _client(llm).chat.completions.create(
        model="gpt-4o-mini", messages=messages, tools=tools
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.id == "call_1"
    assert call.type == "function"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == tokens.count_messages(messages) + tokens.count_tools(tools)


def test_text_and_tool_call_through_langchain(llm: ScriptedLLM) -> None:
    llm.script({"content": "Hello there."}, {"tool_calls": [WEATHER_CALL]})
    chat = _chat(llm)
    text = chat.invoke("Say hello.")
    assert text.content == "Hello there."
    assert text.usage_metadata is not None
    assert text.usage_metadata["output_tokens"] == tokens.count("Hello there.")
    assert text.usage_metadata["input_tokens"] > 0
    called = chat.invoke("Weather?")
    assert called.tool_calls == [
        {"name": "weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert called.usage_metadata is not None


def test_invalid_tool_arguments_arrive_verbatim(llm: ScriptedLLM) -> None:
    broken = '{"city": "Par'
    llm.script(*[{"tool_calls": [{"function": {"name": "weather", "arguments": broken}}]}] * 2)
    reply = _client(llm).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Weather?"}]
    )
    assert reply.choices[0].message.tool_calls is not None
    assert reply.choices[0].message.tool_calls[0].function.arguments == broken  # type: ignore[union-attr]
    message = _chat(llm).invoke("Weather?")
    assert message.tool_calls == []
    assert message.invalid_tool_calls[0]["args"] == broken


def test_fault_surfaces_as_openai_error(llm: ScriptedLLM) -> None:
    llm.script(Fault(500, "boom"), Fault(429, "slow down", {"Retry-After": "7"}))
    client = _client(llm)
    with pytest.raises(openai.InternalServerError, match="boom"):
        client.chat.completions.create(model="m", messages=[])
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="m", messages=[])
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.body == {
        "message": "slow down",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_callable_reply_sees_the_request(llm: ScriptedLLM) -> None:
    llm.script(lambda request: {"content": request["messages"][-1]["content"].upper()})
    reply = _client(llm).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "echo me"}]
    )
    assert reply.choices[0].message.content == "ECHO ME"


def test_responder_answers_after_the_script() -> None:
    with ScriptedLLM(responder=lambda request: {"content": "default"}) as llm:
        llm.script({"content": "scripted"})
        client = _client(llm)
        answers = [
            client.chat.completions.create(model="m", messages=[]).choices[0].message.content
            for _ in range(3)
        ]
    assert answers == ["scripted", "default", "default"]


def test_exhausted_script_is_a_500(llm: ScriptedLLM) -> None:
    with pytest.raises(openai.InternalServerError, match="script exhausted"):
        _client(llm).chat.completions.create(model="m", messages=[])


def test_streaming_and_other_paths_are_refused(llm: ScriptedLLM) -> None:
    llm.script({"content": "kept for the next call"})
    with pytest.raises(openai.BadRequestError, match="streaming"):
        _client(llm).chat.completions.create(model="m", messages=[], stream=True)
    missing = httpx.post(llm.base_url + "/embeddings", json={})
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "invalid_request_error"
    reply = _client(llm).chat.completions.create(model="m", messages=[])
    assert reply.choices[0].message.content == "kept for the next call"
