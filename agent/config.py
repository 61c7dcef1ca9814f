"""One typed settings object: defaults in code, `dossier.toml` in the workspace, then
`DOSSIER_*` environment variables, which win."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from agent.errors import ConfigError

DEFAULT_HOME = Path(".dossier")
CONFIG_FILE = "dossier.toml"
DEFAULT_MAX_FILE_MB = 25.0


class Settings(BaseSettings):
    """Everything dossier can be told; each field is also `DOSSIER_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    home: Path = Field(DEFAULT_HOME, description="Workspace folder.")
    llm: str | None = Field(None, description="LangChain provider:model; unset = extractive.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server URL.")
    llm_structured: Literal["auto", "json_schema", "grammar", "tools"] = Field(
        "auto",
        description="How the draft is asked for: json_schema, a compact-JSON llama.cpp grammar, "
        "or tool calls; auto = json_schema when DOSSIER_LLM_BASE_URL is set, else tools.",
    )
    llm_timeout_s: float = Field(60.0, gt=0, description="Seconds one model call may take.")
    llm_retries: int = Field(
        3, ge=0, le=10, description="Retries of a model call on rate limits and server errors."
    )
    llm_max_steps: int = Field(
        6, ge=0, le=30, description="Most research rounds (model turns with tool calls)."
    )
    max_tokens_per_brief: int = Field(
        60_000, ge=2_000, description="Prompt plus completion tokens one brief may spend."
    )
    llm_passages_per_layer: int = Field(
        5,
        ge=1,
        le=30,
        description="Candidate sentences per layer the model is shown to write from.",
    )
    llm_context_tokens: int | None = Field(
        None,
        ge=2_048,
        description="The model's context window in tokens; the brief's prompt is cut to fit it.",
    )
    llm_price_input: float | None = Field(
        None, ge=0, description="US dollars per million prompt tokens (for the cost estimate)."
    )
    llm_price_output: float | None = Field(
        None, ge=0, description="US dollars per million completion tokens."
    )
    contact_email: str | None = Field(None, description="Contact address sent to SEC EDGAR.")
    http_deadline_s: float = Field(
        30.0,
        gt=0,
        allow_inf_nan=False,
        description="Seconds one fetch may take in all: connect, headers, body, redirects and "
        "retries.",
    )
    max_file_mb: float = Field(
        DEFAULT_MAX_FILE_MB, gt=0, description="Largest local file `add` reads, in megabytes."
    )

    greenhouse_url: str = "https://boards-api.greenhouse.io"
    lever_url: str = "https://api.lever.co"
    ashby_url: str = "https://api.ashbyhq.com"
    google_news_url: str = "https://news.google.com"
    gdelt_url: str = "https://api.gdeltproject.org"
    sec_data_url: str = "https://data.sec.gov"
    sec_archives_url: str = "https://www.sec.gov"

    chroma_url: str | None = Field(None, description="Chroma server URL; unset = on disk.")
    ledger_url: str | None = Field(
        None, description="SQLAlchemy database URL of the ledger; unset = SQLite in the workspace."
    )
    slack_webhook_url: str | None = Field(None, description="Slack incoming-webhook URL.")
    scan_workers: int = Field(4, ge=1, le=64, description="Accounts a scan researches at once.")

    claims_per_layer: int = Field(5, ge=1, le=12, description="Most claims in one layer.")
    min_claims_per_layer: int = Field(
        2, ge=1, description="Below this many well-evidenced claims a layer is reported thin."
    )
    min_relevance: float = Field(
        0.25, ge=0.0, le=1.0, description="Least similarity for a sentence to count as evidence."
    )
    recency_half_life_days: float = Field(
        365.0, gt=0, description="Age at which a source's weight in retrieval halves."
    )
    chunk_chars: int = Field(900, ge=200, description="Target chunk size in characters.")

    usage_decline_days: int = Field(14, ge=2, description="Window of the usage-decline trigger.")
    usage_decline_pct: float = Field(
        0.15, gt=0, lt=1, description="Drop over that window that counts as a usage decline."
    )
    seat_limit_yellow: float = Field(0.70, gt=0, le=1.5, description="Seats or API calls / plan.")
    seat_limit_red: float = Field(0.80, gt=0, le=1.5, description="Seats or API calls / plan.")
    ticket_spike_ratio: float = Field(
        2.0, gt=1, description="A week's tickets vs the trailing mean that makes a spike."
    )
    ticket_spike_weeks: int = Field(8, ge=2, description="Weeks in the trailing ticket mean.")
    champion_departure_red_days: int = Field(
        90, ge=0, description="A champion or sponsor leaving this close to renewal is red."
    )
    renewal_window_min_days: int = Field(90, ge=0, description="Renewal window opens (days out).")
    renewal_window_max_days: int = Field(120, ge=0, description="Renewal window (farthest).")
    qbr_interval_days: int = Field(
        100, ge=30, description="No QBR held within this many days counts as a missed QBR."
    )
    health_decline_periods: int = Field(
        2, ge=2, description="Consecutive health drops that make a health decline."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @property
    def sources_dir(self) -> Path:
        """Where each account's normalized sources are kept as JSON."""
        return self.home / "sources"

    @property
    def chroma_dir(self) -> Path:
        """Where the on-disk Chroma store lives."""
        return self.home / "chroma"

    @property
    def book_file(self) -> Path:
        """The accounts of the book."""
        return self.home / "book.json"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads `dossier.toml` from the workspace that init or the environment chose."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        home = Path(
            self.current_state.get("home") or os.environ.get("DOSSIER_HOME") or DEFAULT_HOME
        )
        path = home / CONFIG_FILE
        if not path.is_file():
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        section = data.get("dossier", data)
        return {k: v for k, v in section.items() if k in self.settings_cls.model_fields}


def load_settings(home: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a workspace; `home` (from `--home`) beats `DOSSIER_HOME`."""
    if home is not None:
        overrides["home"] = home
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {where}: {first['msg']}") from exc


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """dossier's folder in the user's cache, shared by every workspace: built models, kept
    vectors, the local model (`$XDG_CACHE_HOME/dossier`, else `~/.cache/dossier`)."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "dossier"
