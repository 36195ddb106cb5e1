# One image for the four processes; docker-compose.yml picks the process with `command`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app

# The same uv as uv.lock's dev group; runtime dependencies only, exactly as locked.
RUN pip install --no-cache-dir uv==0.13.8
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.11

# Code, migrations and reference data (.dockerignore keeps out the venv, var/, tests, caches).
COPY . .

RUN useradd --system --uid 10001 --home-dir /app jineng \
    && mkdir -p /app/var && chown jineng /app/var
USER jineng

EXPOSE 8000
# The gateway by default; compose overrides the module and port for each service.
CMD ["uvicorn", "--factory", "gateway.main:create_app", "--host", "0.0.0.0", "--port", "8000", "--http", "httptools", "--no-access-log"]
