"""Request and response models of authentication."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gateway.strict import RequestModel


class TokenRequest(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "city-officer", "password": "jineng-demo"}]}
    )
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class WeChatLogin(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "demo:worker-001"}]})
    code: str = Field(min_length=1, max_length=256)


class RefreshRequest(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"refresh_token": "Zk3q9cJ0b2x1VYl5N0t8Rj2m4Q6sU8wA1cE3gI5kM7o"}]
        }
    )
    refresh_token: str = Field(min_length=10, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    id: int
    role: str
    username: str | None = None
    unit_code: str | None = None
    institution_id: int | None = None
    evaluation_body_id: int | None = None


class StaffCreate(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "jsxy-clerk", "password": "a-long-passphrase"}]
        }
    )
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=10, max_length=256)
