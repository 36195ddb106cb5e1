"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose
schema, cross-references, and that every process gets the production settings it needs."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shlex
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from plumbing import settings as common
from plumbing.settings import REPO_ROOT, CommonSettings

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
# Values for ${VAR:?...} when checking the settings the compose file gives each process.
DUMMIES = {"JINENG_DATA_KEYS": '["test-data-key-1"]'}
DEV_SECRETS = {
    v for k, v in vars(common).items() if k.startswith("DEFAULT_") and isinstance(v, str)
}
INTERPOLATION = re.compile(r"\$\$|\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}")


def load_compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def services() -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = load_compose()["services"]
    return result


def interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error}, as if the required ones were set."""

    def one(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if name is None:  # $$ is a literal $
            return "$"
        if op in (":-", "-"):
            return arg
        return DUMMIES.get(name, f"test-{name.lower()}")

    return INTERPOLATION.sub(one, value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def app_module(command: list[str]) -> str | None:
    """`pkg.main` for `uvicorn --factory pkg.main:create_app ...`, else None."""
    for arg in command:
        if re.fullmatch(r"[a-z_][\w.]*:[a-z_]\w*", arg):
            return arg.split(":", 1)[0]
    return None


def app_services() -> dict[str, str]:
    """Compose service -> app module, for the services that run one of our processes."""
    result = {}
    for name, svc in services().items():
        module = app_module(command_of(svc))
        if module:
            result[name] = module
    return result


def settings_class(app_module_name: str) -> type[CommonSettings]:
    """The JINENG_ settings class next to an app (pkg/config.py), else the common one."""
    assert importlib.util.find_spec(app_module_name) is not None, f"{app_module_name} is missing"
    package = app_module_name.rsplit(".", 1)[0]
    if importlib.util.find_spec(f"{package}.config") is None:
        return CommonSettings
    module = importlib.import_module(f"{package}.config")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseSettings)
        and obj.__module__ == module.__name__
        and obj.model_config.get("env_prefix") == "JINENG_"
    ]
    assert len(found) == 1, f"{package}.config should define one JINENG_ settings class"
    assert issubclass(found[0], CommonSettings)
    return found[0]


def needed_in_production(cls: type[CommonSettings]) -> set[str]:
    """JINENG_* variables production must set for `cls`: fields without a default, and those
    whose development default check_production refuses (named in default_secrets())."""
    needed = {"JINENG_ENV", "JINENG_INTERNAL_TOKEN"}
    needed |= {f"JINENG_{n.upper()}" for n, f in cls.model_fields.items() if f.is_required()}
    # model_construct: the defaults, without reading this machine's environment.
    for refused in cls.model_construct().default_secrets():
        needed |= set(re.findall(r"JINENG_[A-Z0-9_]+", refused))
    # And any field defaulting to one of the development secrets, even if not declared above.
    for name, field in cls.model_fields.items():
        if field.is_required():
            continue
        default = field.get_default(call_default_factory=True, validated_data={})
        if DEV_SECRETS & set(plain(default)):
            needed.add(f"JINENG_{name.upper()}")
    return needed


def plain(value: Any) -> list[str]:
    """A default's string values, secrets revealed, lists flattened."""
    if isinstance(value, SecretStr):
        return [value.get_secret_value()]
    if isinstance(value, list | tuple | set):
        return [s for item in value for s in plain(item)]
    return [value] if isinstance(value, str) else []


def clear_settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("JINENG_") or key.endswith("DATABASE_URL"):
            monkeypatch.delenv(key)


def test_compose_file_follows_the_compose_spec() -> None:
    schema = json.loads(
        files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("compose-spec.json")
        .read_text(encoding="utf-8")
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load_compose())
    ]
    assert errors == []


def test_every_process_and_postgres_are_there() -> None:
    expected = {"postgres", "migrate", "gateway", "institutions", "enrolment", "evaluation"}
    assert set(services()) >= expected
    assert services()["postgres"]["image"].startswith("postgres:15")
    assert "pg_isready" in services()["postgres"]["healthcheck"]["test"]


def test_every_app_package_with_a_config_is_deployed() -> None:
    """A new service (services/<svc>/main.py) must be added to the compose file too."""
    apps = {f"services.{p.parent.name}.main" for p in REPO_ROOT.glob("services/*/main.py")}
    apps.add("gateway.main")
    assert apps <= set(app_services().values())


def test_depends_on_points_at_services_that_can_satisfy_the_condition() -> None:
    svcs = services()
    for name, svc in svcs.items():
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, spec in deps.items():
            assert dep in svcs, f"{name} depends on unknown service {dep}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                check = svcs[dep].get("healthcheck") or {}
                assert check.get("test"), f"{name} waits for {dep} to be healthy: no check"
                assert not check.get("disable"), f"{dep}'s health check is disabled"
            if condition == "service_completed_successfully":
                # A one-shot job that restarts would never complete, or would loop.
                assert svcs[dep].get("restart", "no") in ("no", "on-failure"), dep


def test_app_processes_start_after_postgres_and_migrations() -> None:
    svcs = services()
    for name in app_services():
        deps = svcs[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
    gateway_deps = svcs["gateway"]["depends_on"]
    for downstream in ("institutions", "enrolment", "evaluation"):
        assert gateway_deps[downstream]["condition"] == "service_healthy"


def test_health_checks_probe_readyz_on_the_port_the_process_listens_on() -> None:
    for name, svc in services().items():
        if name not in app_services():
            continue
        command = command_of(svc)
        port = command[command.index("--port") + 1]
        probe = " ".join(svc["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/readyz" in probe, name
        # The slim image has neither curl nor wget.
        assert "curl" not in probe
        assert "wget" not in probe


def test_published_host_ports_are_unique() -> None:
    published: list[str] = []
    for svc in services().values():
        for port in svc.get("ports") or []:
            if isinstance(port, dict):
                published.append(str(port["published"]))
            else:
                parts = str(port).split(":")
                if len(parts) >= 2:
                    published.append(parts[-2])
    assert published, "the gateway must be reachable"
    assert len(published) == len(set(published)), published


def test_compose_commands_and_dockerfile_cmd_reference_modules_that_exist() -> None:
    commands = [command_of(s) for s in services().values() if s.get("command")]
    cmd_line = next(
        line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines() if line[:4] == "CMD "
    )
    commands.append(json.loads(cmd_line[4:]))
    for command in commands:
        if "-m" in command:
            module = command[command.index("-m") + 1]
            assert importlib.util.find_spec(module) is not None, module
        target = next((a for a in command if re.fullmatch(r"[a-z_][\w.]*:[a-z_]\w*", a)), None)
        if target:
            module, attr = target.split(":")
            assert importlib.util.find_spec(module) is not None, f"{module} does not exist"
            assert callable(getattr(importlib.import_module(module), attr)), target


def test_dockerfile_pins_the_locked_uv_and_never_downloads_python() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    locked = re.search(r'"uv==([\d.]+)"', pyproject)
    assert locked is not None
    assert f"uv=={locked.group(1)}" in text
    assert "UV_PYTHON_DOWNLOADS=never" in text
    assert "--frozen" in text
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git"} <= set(ignored)  # never ship a local venv or databases


@pytest.mark.parametrize("name", ["gateway", "institutions", "enrolment", "evaluation"])
def test_each_process_gets_every_setting_production_requires(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = app_services()[name]
    cls = settings_class(module)
    env = environment(services()[name])
    missing = needed_in_production(cls) - set(env)
    assert not missing, f"{name} needs {sorted(missing)} in production"
    # Secrets come from the deployer's environment and fail loudly when unset.
    for key in (
        "JINENG_INTERNAL_TOKEN",
        "JINENG_JWT_SECRET",
        "JINENG_DATA_KEYS",
        "JINENG_HASH_KEY",
        "JINENG_AUDIT_KEY",
    ):
        if key in env:
            assert re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", env[key]), env[key]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")

    # With the compose environment, the process's own production check passes.
    clear_settings_env(monkeypatch)
    for key, value in env.items():
        monkeypatch.setenv(key, interpolate(value))
    settings = cls()
    assert settings.env == "production"
    assert settings.demo is False
    settings.check_production()


@pytest.mark.parametrize("name", ["gateway", "institutions", "enrolment", "evaluation"])
def test_every_jineng_variable_given_is_one_the_process_reads(name: str) -> None:
    """A misspelt variable is silently ignored by pydantic-settings; and a secret goes only
    to the process that uses it."""
    fields = {f"JINENG_{n.upper()}" for n in settings_class(app_services()[name]).model_fields}
    given = {k for k in environment(services()[name]) if k.startswith("JINENG_")}
    assert given - fields == set()


def test_migrate_job_reaches_the_same_server() -> None:
    svc = services()["migrate"]
    assert command_of(svc)[-3:] == ["-m", "plumbing.migrate", "all"]
    env = environment(svc)
    assert env["DATABASE_URL"] == environment(services()["gateway"])["DATABASE_URL"]


def test_interpolation_helper() -> None:
    assert interpolate("a${X:-b}c") == "abc"
    assert interpolate("${JINENG_HASH_KEY:?set it}") == "test-jineng_hash_key"
    assert interpolate("$${X}") == "${X}"
