-- Core tables (originally created by backend/init_db.py).

CREATE TABLE users (
    id                 uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    email              varchar(255) NOT NULL UNIQUE,
    username           varchar(100) NOT NULL UNIQUE,
    password_hash      varchar(255) NOT NULL,
    role               varchar(50)  DEFAULT 'user',
    is_active          boolean      DEFAULT true,
    created_at         timestamp    DEFAULT CURRENT_TIMESTAMP,
    updated_at         timestamp    DEFAULT CURRENT_TIMESTAMP,
    full_name          varchar(255),
    last_login_at      timestamp,
    query_count        integer      DEFAULT 0,
    storage_used_bytes bigint       DEFAULT 0,
    preferences        jsonb        DEFAULT '{}'::jsonb
);

CREATE TABLE sessions (
    id         uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id    uuid         REFERENCES users (id) ON DELETE CASCADE,
    title      varchar(500),
    created_at timestamp    DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp    DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE messages (
    id         uuid        PRIMARY KEY DEFAULT uuid_generate_v4(),
    session_id uuid        REFERENCES sessions (id) ON DELETE CASCADE,
    role       varchar(50) NOT NULL,
    content    text        NOT NULL,
    created_at timestamp   DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE workflows (
    id               uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id          uuid         REFERENCES users (id) ON DELETE CASCADE,
    name             varchar(255) NOT NULL,
    description      text,
    config           jsonb        DEFAULT '{}'::jsonb,
    is_active        boolean      DEFAULT true,
    created_at       timestamp    DEFAULT CURRENT_TIMESTAMP,
    updated_at       timestamp    DEFAULT CURRENT_TIMESTAMP,
    graph_definition jsonb        DEFAULT '{}'::jsonb,
    compiled_graph   jsonb,
    is_public        boolean      DEFAULT false,
    deleted_at       timestamp
);

CREATE INDEX idx_workflows_user ON workflows (user_id);

CREATE TABLE knowledge_bases (
    id          uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id     uuid         REFERENCES users (id) ON DELETE CASCADE,
    name        varchar(255) NOT NULL,
    description text,
    created_at  timestamp    DEFAULT CURRENT_TIMESTAMP,
    updated_at  timestamp    DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE documents (
    id                uuid          PRIMARY KEY DEFAULT uuid_generate_v4(),
    knowledge_base_id uuid          REFERENCES knowledge_bases (id) ON DELETE CASCADE,
    user_id           uuid          REFERENCES users (id) ON DELETE CASCADE,
    filename          varchar(500)  NOT NULL,
    file_path         varchar(1000),
    file_size         integer,
    mime_type         varchar(100),
    status            varchar(50)   DEFAULT 'pending',
    created_at        timestamp     DEFAULT CURRENT_TIMESTAMP,
    updated_at        timestamp     DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_documents_kb ON documents (knowledge_base_id);

CREATE TABLE prompt_templates (
    id            uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id       uuid         REFERENCES users (id) ON DELETE CASCADE,
    name          varchar(255) NOT NULL,
    description   text,
    template_text text         NOT NULL,
    variables     jsonb,
    is_system     boolean      DEFAULT false,
    category      varchar(100),
    created_at    timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_prompt_templates_category ON prompt_templates (category);
CREATE INDEX idx_prompt_templates_is_system ON prompt_templates (is_system);

CREATE TABLE tools (
    id                  varchar(100) PRIMARY KEY,
    name                varchar(255) NOT NULL,
    description         text,
    category            varchar(100),
    input_schema        jsonb,
    output_schema       jsonb,
    implementation_type varchar(50),
    implementation_ref  varchar(500),
    requires_auth       boolean      DEFAULT false,
    is_builtin          boolean      DEFAULT true,
    created_at          timestamp    DEFAULT CURRENT_TIMESTAMP,
    updated_at          timestamp    DEFAULT CURRENT_TIMESTAMP
);
