"""Settings shared by every process; each service subclasses with its own fields."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# Development defaults. Production refuses to start with any of them (check_production).
DEFAULT_INTERNAL_TOKEN = "dev-internal-token-change-me"
DEFAULT_JWT_SECRET = "dev-jwt-secret-change-me-please-0123456789"
DEFAULT_DATA_KEY = "dev-data-key-change-me"
DEFAULT_HASH_KEY = "dev-hash-key-change-me"

REPO_ROOT = Path(__file__).resolve().parent.parent


class CommonSettings(BaseSettings):
    """Read from JINENG_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="JINENG_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    demo: bool = False
    internal_token: SecretStr = SecretStr(DEFAULT_INTERNAL_TOKEN)
    var_dir: Path = REPO_ROOT / "var"
    log_level: str = "INFO"
    log_json: bool = True
    # Connections each process keeps to PostgreSQL (SQLAlchemy's pool_size) and may open
    # beyond them under load (max_overflow). Four processes at the defaults hold up to 80;
    # size them so that all of them, times processes, fit the server's max_connections.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)

    def default_secrets(self) -> dict[str, bool]:
        """Setting name -> whether it still holds its development default (subclasses add)."""
        return {}

    def check_production(self, extra_defaults: dict[str, bool] | None = None) -> None:
        """Refuse demo mode and default secrets when JINENG_ENV=production."""
        if self.env != "production":
            return
        extra_defaults = {**self.default_secrets(), **(extra_defaults or {})}
        problems = []
        if self.demo:
            problems.append("demo mode (JINENG_DEMO) is not allowed in production")
        if self.internal_token.get_secret_value() == DEFAULT_INTERNAL_TOKEN:
            problems.append("JINENG_INTERNAL_TOKEN still has its development default")
        for name, is_default in extra_defaults.items():
            if is_default:
                problems.append(f"{name} still has its development default")
        if problems:
            raise RuntimeError("refusing to start in production: " + "; ".join(problems))


def database_url(service: str, var_dir: Path) -> str:
    """The service's database: <SERVICE>_DATABASE_URL, else its own database on DATABASE_URL's
    server (jineng_<service>), else an SQLite file under var/."""
    own = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if own:
        return own
    shared = os.environ.get("DATABASE_URL")
    if shared:
        return (
            make_url(shared).set(database=f"jineng_{service}").render_as_string(hide_password=False)
        )
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{var_dir / f'{service}.db'}"
