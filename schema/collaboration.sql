-- Conversations, feedback, organizations, sharing, API keys, settings, limits and credits.

CREATE TABLE conversations (
    id          uuid         PRIMARY KEY,
    user_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       varchar(255),
    description text,
    metadata    jsonb,
    is_archived boolean      DEFAULT false,
    created_at  timestamp    NOT NULL DEFAULT now(),
    updated_at  timestamp    NOT NULL DEFAULT now(),
    deleted_at  timestamp
);

CREATE INDEX idx_conversations_created_at ON conversations (created_at);
CREATE INDEX idx_conversations_user_created ON conversations (user_id, created_at);
CREATE INDEX idx_conversations_user_id ON conversations (user_id);

CREATE TABLE feedback (
    id              uuid        PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id        uuid        REFERENCES agents (id) ON DELETE SET NULL,
    rating          integer     NOT NULL,
    comment         text,
    feedback_type   varchar(50),
    created_at      timestamp   NOT NULL DEFAULT now()
);

CREATE INDEX idx_feedback_agent_id ON feedback (agent_id);
CREATE INDEX idx_feedback_conversation_id ON feedback (conversation_id);
CREATE INDEX idx_feedback_rating ON feedback (rating);
CREATE INDEX idx_feedback_user_id ON feedback (user_id);

CREATE TABLE organizations (
    id          uuid         PRIMARY KEY,
    name        varchar(255) NOT NULL,
    description text,
    owner_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    logo_url    varchar(500),
    settings    jsonb,
    is_active   boolean      DEFAULT true,
    created_at  timestamp    NOT NULL DEFAULT now(),
    updated_at  timestamp    NOT NULL DEFAULT now()
);

CREATE INDEX idx_organizations_created_at ON organizations (created_at);
CREATE INDEX idx_organizations_owner_id ON organizations (owner_id);

CREATE TABLE teams (
    id              uuid         PRIMARY KEY,
    organization_id uuid         NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            varchar(255) NOT NULL,
    description     text,
    created_at      timestamp    NOT NULL DEFAULT now(),
    updated_at      timestamp    NOT NULL DEFAULT now(),
    CONSTRAINT uq_team_org_name UNIQUE (organization_id, name)
);

CREATE INDEX idx_teams_organization_id ON teams (organization_id);

CREATE TABLE bookmarks (
    id              uuid         PRIMARY KEY,
    user_id         uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id uuid         NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    title           varchar(255),
    notes           text,
    created_at      timestamp    NOT NULL DEFAULT now(),
    CONSTRAINT uq_bookmark_user_conv UNIQUE (user_id, conversation_id)
);

CREATE INDEX idx_bookmarks_conversation_id ON bookmarks (conversation_id);
CREATE INDEX idx_bookmarks_user_id ON bookmarks (user_id);

CREATE TABLE notifications (
    id                uuid         PRIMARY KEY,
    user_id           uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             varchar(255) NOT NULL,
    message           text         NOT NULL,
    notification_type varchar(50),
    is_read           boolean      DEFAULT false,
    data              jsonb,
    created_at        timestamp    NOT NULL DEFAULT now(),
    read_at           timestamp
);

CREATE INDEX idx_notifications_created_at ON notifications (created_at);
CREATE INDEX idx_notifications_is_read ON notifications (is_read);
CREATE INDEX idx_notifications_user_id ON notifications (user_id);

CREATE TABLE conversation_shares (
    id                  uuid        PRIMARY KEY,
    conversation_id     uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    shared_by_user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared_with_user_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission_level    varchar(50) DEFAULT 'view',
    created_at          timestamp   NOT NULL DEFAULT now(),
    CONSTRAINT uq_share_conv_user UNIQUE (conversation_id, shared_with_user_id)
);

CREATE INDEX idx_conversation_shares_conversation_id ON conversation_shares (conversation_id);
CREATE INDEX idx_conversation_shares_shared_with_user_id ON conversation_shares (shared_with_user_id);

CREATE TABLE api_keys (
    id           uuid         PRIMARY KEY,
    user_id      uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         varchar(255) NOT NULL,
    key_hash     varchar(255) NOT NULL CONSTRAINT uq_api_key_hash UNIQUE,
    last_used_at timestamp,
    is_active    boolean      DEFAULT true,
    created_at   timestamp    NOT NULL DEFAULT now(),
    expires_at   timestamp
);

CREATE INDEX idx_api_keys_is_active ON api_keys (is_active);
CREATE INDEX idx_api_keys_user_id ON api_keys (user_id);

CREATE TABLE user_settings (
    id                    uuid        PRIMARY KEY,
    user_id               uuid        NOT NULL CONSTRAINT uq_user_settings_user_id UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    theme                 varchar(50) DEFAULT 'light',
    language              varchar(10) DEFAULT 'en',
    notifications_enabled boolean     DEFAULT true,
    settings              jsonb,
    created_at            timestamp   NOT NULL DEFAULT now(),
    updated_at            timestamp   NOT NULL DEFAULT now()
);

CREATE TABLE rate_limit_configs (
    id              uuid        PRIMARY KEY,
    user_id         uuid        REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    limit_type      varchar(50) NOT NULL,
    limit_value     integer     NOT NULL,
    time_window     integer     NOT NULL,
    time_unit       varchar(20) DEFAULT 'second',
    is_active       boolean     DEFAULT true,
    created_at      timestamp   NOT NULL DEFAULT now(),
    updated_at      timestamp   NOT NULL DEFAULT now()
);

CREATE INDEX idx_rate_limit_configs_is_active ON rate_limit_configs (is_active);
CREATE INDEX idx_rate_limit_configs_limit_type ON rate_limit_configs (limit_type);
CREATE INDEX idx_rate_limit_configs_org_id ON rate_limit_configs (organization_id);
CREATE INDEX idx_rate_limit_configs_user_id ON rate_limit_configs (user_id);

CREATE TABLE credits (
    id               uuid           PRIMARY KEY,
    user_id          uuid           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount           numeric(10, 2) NOT NULL,
    transaction_type varchar(50)    NOT NULL,
    description      text,
    reference_id     uuid,
    reference_type   varchar(50),
    balance_after    numeric(10, 2),
    metadata         jsonb,
    created_at       timestamp      NOT NULL DEFAULT now()
);

CREATE INDEX idx_credits_created_at ON credits (created_at);
CREATE INDEX idx_credits_reference ON credits (reference_id, reference_type);
CREATE INDEX idx_credits_transaction_type ON credits (transaction_type);
CREATE INDEX idx_credits_user_id ON credits (user_id);
