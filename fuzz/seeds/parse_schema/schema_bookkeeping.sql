-- Migration bookkeeping (Alembic and backend/run_migrations.py).

CREATE TABLE alembic_version (
    version_num varchar(32) PRIMARY KEY
);

CREATE TABLE migration_history (
    id         serial       PRIMARY KEY,
    filename   varchar(255) NOT NULL UNIQUE,
    applied_at timestamp    DEFAULT CURRENT_TIMESTAMP,
    success    boolean      DEFAULT true
);
