"""Real-name profiles: one account per person, personal data encrypted, never logged."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.clock import shanghai_today, utcnow
from plumbing.crypto import PersonalDataCipher
from plumbing.errors import DomainError, NotFound
from plumbing.ids import id_number_birth_date, mask_id_number, mask_phone
from plumbing.principal import Principal, require_role
from services.enrolment.eligibility.rules import age_on
from services.enrolment.orders.rules import sex_from_id_number
from services.enrolment.workers import repository
from services.enrolment.workers.models import WorkerProfile
from services.enrolment.workers.schemas import ProfilePublic, ProfileUpdate


def to_public(profile: WorkerProfile, cipher: PersonalDataCipher) -> ProfilePublic:
    """The owner's view: the name in clear, the ID number and phone masked."""
    return ProfilePublic(
        worker_id=profile.worker_id,
        id_number_masked=profile.id_number_masked,
        name=cipher.decrypt(profile.name_cipher),
        phone_masked=profile.phone_masked,
        unit_code=profile.unit_code,
        group=profile.target_group,
        receives_pension=profile.receives_pension,
        birth_date=profile.birth_on,
        sex=profile.sex,
        age=age_on(profile.birth_on, shanghai_today()),
        employer_credit_code=profile.employer_credit_code,
        unemployment_insurance_months=profile.unemployment_insurance_months,
        discharged_on=profile.discharged_on,
        registered_poor=profile.registered_poor,
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )


async def save_profile(
    session: AsyncSession, cipher: PersonalDataCipher, principal: Principal, body: ProfileUpdate
) -> ProfilePublic:
    """Create or update the worker's real-name profile."""
    require_role(principal, "worker")
    if body.discharged_on is not None and body.discharged_on > shanghai_today():
        raise DomainError("validation_failed", "discharged_on: must not be in the future")
    birth_on = id_number_birth_date(body.id_number)
    if body.discharged_on is not None and body.discharged_on < birth_on:
        raise DomainError("validation_failed", "discharged_on: must be after the birth date")
    digest = cipher.keyed_hash(body.id_number)
    existing = await repository.get_profile(session, principal.id)
    # The real-name identity is fixed once registered: changing it would let one person
    # spread subsidies over several identities.
    if existing is not None and existing.id_number_hash != digest:
        raise DomainError("conflict", "the registered ID number cannot be changed")
    now = utcnow()
    values = {
        "id_number_cipher": cipher.encrypt(body.id_number),
        "id_number_hash": digest,
        "id_number_masked": mask_id_number(body.id_number),
        "name_cipher": cipher.encrypt(body.name),
        "phone_cipher": cipher.encrypt(body.phone),
        "phone_masked": mask_phone(body.phone),
        "phone_hash": cipher.keyed_hash(body.phone),
        "unit_code": body.unit_code,
        "target_group": body.group,
        "receives_pension": body.receives_pension,
        "birth_on": birth_on,
        "sex": sex_from_id_number(body.id_number),
        "employer_credit_code": body.employer_credit_code,
        "unemployment_insurance_months": body.unemployment_insurance_months,
        "discharged_on": body.discharged_on,
        "registered_poor": body.registered_poor,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await repository.save_profile(session, principal.id, values)
        await session.commit()
    except IntegrityError:
        # The keyed hash is UNIQUE: another account holds this ID number. Who, is not said.
        await session.rollback()
        raise DomainError(
            "id_number_taken", "this ID number is registered to another account"
        ) from None
    profile = await repository.get_profile(session, principal.id)
    assert profile is not None
    return to_public(profile, cipher)


async def get_profile(
    session: AsyncSession, cipher: PersonalDataCipher, principal: Principal
) -> ProfilePublic:
    """The worker's own profile."""
    require_role(principal, "worker")
    profile = await repository.get_profile(session, principal.id)
    if profile is None:
        raise NotFound("profile of worker", principal.id)
    return to_public(profile, cipher)


async def backfill_phone_hashes(
    session: AsyncSession, cipher: PersonalDataCipher, batch: int = 500
) -> int:
    """At startup: hash the phone of every profile saved before enrolment_0004 (which could
    not compute it without the key), in batches, each committed. Idempotent and safe beside
    a running service (a row is only filled while its hash is still missing); a phone that
    cannot be decrypted with the configured keys is skipped. Returns the rows filled."""
    filled, last = 0, 0
    while rows := await repository.profiles_without_phone_hash(session, last, batch):
        for worker_id, phone_cipher in rows:
            last = worker_id
            try:
                phone = cipher.decrypt(phone_cipher)
            except ValueError:
                continue
            await repository.fill_phone_hash(session, worker_id, cipher.keyed_hash(phone))
            filled += 1
        await session.commit()
    return filled
