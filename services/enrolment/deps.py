"""Dependencies of this service's routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from plumbing.crypto import PersonalDataCipher
from services.enrolment.config import Settings


async def get_cipher(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


CipherDep = Annotated[PersonalDataCipher, Depends(get_cipher)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
