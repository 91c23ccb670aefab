CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
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
-- Agents, their templates, versions, attachments, executions and memories.

CREATE TABLE agent_templates (
    id                uuid             PRIMARY KEY DEFAULT uuid_generate_v4(),
    name              varchar(255)     NOT NULL,
    description       text,
    category          varchar(100),
    configuration     jsonb            NOT NULL DEFAULT '{}'::jsonb,
    required_tools    jsonb,
    use_case_examples jsonb,
    is_published      boolean          DEFAULT false,
    rating            double precision,
    usage_count       integer          DEFAULT 0,
    created_at        timestamp        NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        timestamp        NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT check_rating_range CHECK (rating >= 0.0 AND rating <= 5.0),
    CONSTRAINT check_usage_count_positive CHECK (usage_count >= 0)
);

CREATE INDEX idx_agent_templates_category ON agent_templates (category);
CREATE INDEX idx_agent_templates_is_published ON agent_templates (is_published);

CREATE TABLE agents (
    id                 uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id            uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    template_id        uuid         REFERENCES agent_templates (id) ON DELETE SET NULL,
    prompt_template_id uuid         REFERENCES prompt_templates (id) ON DELETE SET NULL,
    name               varchar(255) NOT NULL,
    description        text,
    agent_type         varchar(50)  NOT NULL,
    llm_provider       varchar(100) NOT NULL,
    llm_model          varchar(100) NOT NULL,
    configuration      jsonb,
    context_items      jsonb,
    mcp_servers        jsonb,
    is_public          boolean      DEFAULT false,
    created_at         timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at         timestamp,
    CONSTRAINT check_agent_type_valid CHECK (agent_type IN ('custom', 'template_based'))
);

CREATE INDEX idx_agents_agent_type ON agents (agent_type);
CREATE INDEX idx_agents_is_public ON agents (is_public);
CREATE INDEX idx_agents_user_id ON agents (user_id);
CREATE INDEX ix_agents_user_created ON agents (user_id, created_at);
CREATE INDEX ix_agents_user_type ON agents (user_id, agent_type);

CREATE TABLE agent_versions (
    id             uuid      PRIMARY KEY,
    agent_id       uuid      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    version_number integer   NOT NULL,
    configuration  jsonb,
    context_items  jsonb,
    mcp_servers    jsonb,
    description    text,
    created_at     timestamp NOT NULL DEFAULT now(),
    CONSTRAINT uq_agent_version UNIQUE (agent_id, version_number)
);

CREATE INDEX idx_agent_versions_agent_id ON agent_versions (agent_id);
CREATE INDEX idx_agent_versions_created_at ON agent_versions (created_at);

CREATE TABLE agent_tools (
    id            uuid         PRIMARY KEY,
    agent_id      uuid         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    tool_id       varchar(100) NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    configuration jsonb,
    is_enabled    boolean      DEFAULT true,
    created_at    timestamp    NOT NULL DEFAULT now(),
    CONSTRAINT uq_agent_tool UNIQUE (agent_id, tool_id)
);

CREATE INDEX idx_agent_tools_agent_id ON agent_tools (agent_id);
CREATE INDEX idx_agent_tools_tool_id ON agent_tools (tool_id);

CREATE TABLE agent_knowledgebases (
    id                uuid      PRIMARY KEY,
    agent_id          uuid      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    knowledge_base_id uuid      NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
    is_primary        boolean   DEFAULT false,
    created_at        timestamp NOT NULL DEFAULT now(),
    CONSTRAINT uq_agent_kb UNIQUE (agent_id, knowledge_base_id)
);

CREATE INDEX idx_agent_kb_agent_id ON agent_knowledgebases (agent_id);
CREATE INDEX idx_agent_kb_kb_id ON agent_knowledgebases (knowledge_base_id);

CREATE TABLE agent_executions (
    id                uuid        PRIMARY KEY,
    agent_id          uuid        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id   uuid        REFERENCES conversations (id) ON DELETE SET NULL,
    status            varchar(50) NOT NULL,
    input_data        jsonb,
    output_data       jsonb,
    error_message     text,
    execution_time_ms integer,
    created_at        timestamp   NOT NULL DEFAULT now(),
    started_at        timestamp,
    completed_at      timestamp
);

CREATE INDEX idx_agent_executions_agent_id ON agent_executions (agent_id);
CREATE INDEX idx_agent_executions_created_at ON agent_executions (created_at);
CREATE INDEX idx_agent_executions_status ON agent_executions (status);
CREATE INDEX idx_agent_executions_user_id ON agent_executions (user_id);

CREATE TABLE agent_memories (
    id               uuid             PRIMARY KEY,
    agent_id         uuid             NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    memory_type      varchar(50)      NOT NULL,
    content          text             NOT NULL,
    metadata         jsonb,
    importance_score double precision,
    created_at       timestamp        NOT NULL DEFAULT now(),
    updated_at       timestamp        NOT NULL DEFAULT now()
);

CREATE INDEX idx_agent_memories_agent_id ON agent_memories (agent_id);
CREATE INDEX idx_agent_memories_created_at ON agent_memories (created_at);
CREATE INDEX idx_agent_memories_type ON agent_memories (memory_type);

CREATE TABLE tool_executions (
    id                uuid         PRIMARY KEY,
    agent_id          uuid         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    tool_id           varchar(100) NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    tool_name         varchar(255) NOT NULL,
    status            varchar(50)  NOT NULL,
    input_params      jsonb,
    output_result     jsonb,
    error_message     text,
    execution_time_ms integer,
    created_at        timestamp    NOT NULL DEFAULT now(),
    completed_at      timestamp
);

CREATE INDEX idx_tool_executions_agent_id ON tool_executions (agent_id);
CREATE INDEX idx_tool_executions_created_at ON tool_executions (created_at);
CREATE INDEX idx_tool_executions_status ON tool_executions (status);
CREATE INDEX idx_tool_executions_tool_id ON tool_executions (tool_id);
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
    key_hash     varchar(255) NOT NULL UNIQUE,
    last_used_at timestamp,
    is_active    boolean      DEFAULT true,
    created_at   timestamp    NOT NULL DEFAULT now(),
    expires_at   timestamp
);

CREATE INDEX idx_api_keys_is_active ON api_keys (is_active);
CREATE INDEX idx_api_keys_user_id ON api_keys (user_id);

CREATE TABLE user_settings (
    id                    uuid        PRIMARY KEY,
    user_id               uuid        NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
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
-- Chatflows, agentflows, building blocks and their executions.

CREATE TABLE chatflows (
    id                    uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id               uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                  varchar(255) NOT NULL,
    description           text,
    chat_config           jsonb        NOT NULL DEFAULT '{}'::jsonb,
    memory_config         jsonb,
    rag_config            jsonb,
    graph_definition      jsonb        NOT NULL DEFAULT '{}'::jsonb,
    version               varchar(50),
    tags                  jsonb,
    category              varchar(100),
    is_public             boolean      DEFAULT false,
    is_active             boolean      DEFAULT true,
    execution_count       integer      DEFAULT 0,
    last_execution_status varchar(50),
    last_execution_at     timestamp,
    created_at            timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at            timestamp
);

CREATE INDEX idx_chatflows_is_active ON chatflows (is_active);
CREATE INDEX idx_chatflows_is_public ON chatflows (is_public);
CREATE INDEX idx_chatflows_user_active ON chatflows (user_id, is_active);
CREATE INDEX idx_chatflows_user_created ON chatflows (user_id, created_at);
CREATE INDEX idx_chatflows_user_id ON chatflows (user_id);

CREATE TABLE agentflows (
    id                     uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id                uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                   varchar(255) NOT NULL,
    description            text,
    orchestration_type     varchar(50)  NOT NULL,
    supervisor_config      jsonb,
    communication_protocol varchar(50),
    graph_definition       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    version                varchar(50),
    tags                   jsonb,
    category               varchar(100),
    is_public              boolean      DEFAULT false,
    is_active              boolean      DEFAULT true,
    execution_count        integer      DEFAULT 0,
    last_execution_status  varchar(50),
    last_execution_at      timestamp,
    created_at             timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at             timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at             timestamp,
    CONSTRAINT check_orchestration_type_valid CHECK (orchestration_type IN ('sequential', 'parallel', 'hierarchical', 'adaptive'))
);

CREATE INDEX idx_agentflows_is_active ON agentflows (is_active);
CREATE INDEX idx_agentflows_is_public ON agentflows (is_public);
CREATE INDEX idx_agentflows_user_active ON agentflows (user_id, is_active);
CREATE INDEX idx_agentflows_user_created ON agentflows (user_id, created_at);
CREATE INDEX idx_agentflows_user_id ON agentflows (user_id);

CREATE TABLE blocks (
    id             uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id        uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           varchar(255) NOT NULL,
    description    text,
    block_type     varchar(50)  NOT NULL,
    input_schema   jsonb        NOT NULL DEFAULT '{}'::jsonb,
    output_schema  jsonb        NOT NULL DEFAULT '{}'::jsonb,
    configuration  jsonb,
    implementation text,
    is_public      boolean      DEFAULT false,
    created_at     timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_block_name_per_user UNIQUE (user_id, name),
    CONSTRAINT check_block_type_valid CHECK (block_type IN ('llm', 'tool', 'logic', 'composite'))
);

CREATE INDEX idx_blocks_block_type ON blocks (block_type);
CREATE INDEX idx_blocks_is_public ON blocks (is_public);
CREATE INDEX idx_blocks_user_id ON blocks (user_id);
CREATE INDEX ix_blocks_user_public ON blocks (user_id, is_public);
CREATE INDEX ix_blocks_user_type ON blocks (user_id, block_type);

CREATE TABLE flow_executions (
    id            uuid         PRIMARY KEY DEFAULT uuid_generate_v4(),
    agentflow_id  uuid         REFERENCES agentflows (id) ON DELETE CASCADE,
    chatflow_id   uuid         REFERENCES chatflows (id) ON DELETE CASCADE,
    user_id       uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    flow_type     varchar(50)  NOT NULL,
    flow_name     varchar(255),
    input_data    jsonb,
    output_data   jsonb,
    status        varchar(50)  NOT NULL DEFAULT 'pending',
    error_message text,
    started_at    timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at  timestamp,
    duration_ms   integer,
    metrics       jsonb,
    CONSTRAINT check_flow_type_valid CHECK (flow_type IN ('agentflow', 'chatflow')),
    CONSTRAINT check_flow_execution_status_valid CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))
);

CREATE INDEX idx_flow_executions_agentflow ON flow_executions (agentflow_id);
CREATE INDEX idx_flow_executions_chatflow ON flow_executions (chatflow_id);
CREATE INDEX idx_flow_executions_started ON flow_executions (started_at);
CREATE INDEX idx_flow_executions_status ON flow_executions (status);
CREATE INDEX idx_flow_executions_user_id ON flow_executions (user_id);
CREATE INDEX idx_flow_executions_user_status ON flow_executions (user_id, status);

CREATE TABLE agentflow_agents (
    id            uuid             PRIMARY KEY,
    agentflow_id  uuid             NOT NULL REFERENCES agentflows (id) ON DELETE CASCADE,
    agent_id      uuid             NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    position_x    double precision,
    position_y    double precision,
    configuration jsonb,
    created_at    timestamp        NOT NULL DEFAULT now(),
    CONSTRAINT uq_agentflow_agent UNIQUE (agentflow_id, agent_id)
);

CREATE INDEX idx_agentflow_agents_agent_id ON agentflow_agents (agent_id);
CREATE INDEX idx_agentflow_agents_agentflow_id ON agentflow_agents (agentflow_id);

CREATE TABLE agentflow_edges (
    id              uuid        PRIMARY KEY,
    agentflow_id    uuid        NOT NULL REFERENCES agentflows (id) ON DELETE CASCADE,
    source_agent_id uuid        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    target_agent_id uuid        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    edge_type       varchar(50),
    condition       jsonb,
    created_at      timestamp   NOT NULL DEFAULT now()
);

CREATE INDEX idx_agentflow_edges_agentflow_id ON agentflow_edges (agentflow_id);
CREATE INDEX idx_agentflow_edges_source_agent_id ON agentflow_edges (source_agent_id);
CREATE INDEX idx_agentflow_edges_target_agent_id ON agentflow_edges (target_agent_id);
-- Knowledge graphs, query logging and the event store.

CREATE TABLE knowledge_graphs (
    id          uuid         PRIMARY KEY,
    user_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        varchar(255) NOT NULL,
    description text,
    graph_data  jsonb,
    created_at  timestamp    NOT NULL DEFAULT now(),
    updated_at  timestamp    NOT NULL DEFAULT now()
);

CREATE INDEX idx_knowledge_graphs_created_at ON knowledge_graphs (created_at);
CREATE INDEX idx_knowledge_graphs_user_id ON knowledge_graphs (user_id);

CREATE TABLE query_logs (
    id                uuid        PRIMARY KEY,
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    query             text        NOT NULL,
    query_type        varchar(50),
    results_count     integer,
    execution_time_ms integer,
    metadata          jsonb,
    created_at        timestamp   NOT NULL DEFAULT now()
);

CREATE INDEX idx_query_logs_created_at ON query_logs (created_at);
CREATE INDEX idx_query_logs_query_type ON query_logs (query_type);
CREATE INDEX idx_query_logs_user_id ON query_logs (user_id);

CREATE TABLE event_store (
    id             uuid         PRIMARY KEY,
    event_type     varchar(100) NOT NULL,
    aggregate_id   uuid,
    aggregate_type varchar(100),
    data           jsonb        NOT NULL,
    metadata       jsonb,
    user_id        uuid,
    created_at     timestamp    NOT NULL DEFAULT now()
);

CREATE INDEX idx_event_store_aggregate_id ON event_store (aggregate_id);
CREATE INDEX idx_event_store_created_at ON event_store (created_at);
CREATE INDEX idx_event_store_event_type ON event_store (event_type);
CREATE INDEX idx_event_store_user_id ON event_store (user_id);
-- Agent marketplace: purchases, reviews and seller revenue.

CREATE TABLE marketplace_purchases (
    id             uuid           PRIMARY KEY,
    user_id        uuid           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id       uuid           NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    price          numeric(10, 2) NOT NULL,
    currency       varchar(3)     DEFAULT 'USD',
    payment_status varchar(50)    DEFAULT 'pending',
    payment_method varchar(50),
    transaction_id varchar(255),
    metadata       jsonb,
    created_at     timestamp      NOT NULL DEFAULT now(),
    completed_at   timestamp
);

CREATE INDEX idx_marketplace_purchases_agent_id ON marketplace_purchases (agent_id);
CREATE INDEX idx_marketplace_purchases_created_at ON marketplace_purchases (created_at);
CREATE INDEX idx_marketplace_purchases_status ON marketplace_purchases (payment_status);
CREATE INDEX idx_marketplace_purchases_user_id ON marketplace_purchases (user_id);

CREATE TABLE marketplace_reviews (
    id                   uuid         PRIMARY KEY,
    user_id              uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id             uuid         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    rating               integer      NOT NULL,
    title                varchar(255),
    comment              text,
    is_verified_purchase boolean      DEFAULT false,
    helpful_count        integer      DEFAULT 0,
    created_at           timestamp    NOT NULL DEFAULT now(),
    updated_at           timestamp    NOT NULL DEFAULT now(),
    CONSTRAINT uq_review_user_agent UNIQUE (user_id, agent_id)
);

CREATE INDEX idx_marketplace_reviews_agent_id ON marketplace_reviews (agent_id);
CREATE INDEX idx_marketplace_reviews_created_at ON marketplace_reviews (created_at);
CREATE INDEX idx_marketplace_reviews_rating ON marketplace_reviews (rating);
CREATE INDEX idx_marketplace_reviews_user_id ON marketplace_reviews (user_id);

CREATE TABLE marketplace_revenue (
    id            uuid           PRIMARY KEY,
    agent_id      uuid           NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    seller_id     uuid           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purchase_id   uuid           NOT NULL REFERENCES marketplace_purchases (id) ON DELETE CASCADE,
    amount        numeric(10, 2) NOT NULL,
    platform_fee  numeric(10, 2),
    seller_amount numeric(10, 2),
    currency      varchar(3)     DEFAULT 'USD',
    status        varchar(50)    DEFAULT 'pending',
    payout_date   timestamp,
    created_at    timestamp      NOT NULL DEFAULT now()
);

CREATE INDEX idx_marketplace_revenue_agent_id ON marketplace_revenue (agent_id);
CREATE INDEX idx_marketplace_revenue_created_at ON marketplace_revenue (created_at);
CREATE INDEX idx_marketplace_revenue_seller_id ON marketplace_revenue (seller_id);
CREATE INDEX idx_marketplace_revenue_status ON marketplace_revenue (status);
-- Plugin registry, configuration, metrics, dependencies, auditing and security scans.

CREATE TABLE plugin_registry (
    id           uuid         PRIMARY KEY,
    name         varchar(255) NOT NULL,
    version      varchar(50)  NOT NULL,
    description  text,
    author       varchar(255),
    category     varchar(50),
    status       varchar(50),
    manifest     jsonb        NOT NULL,
    file_path    text         NOT NULL,
    file_hash    varchar(64),
    signature    text,
    installed_at timestamp,
    last_updated timestamp,
    created_at   timestamp    DEFAULT now(),
    CONSTRAINT uq_plugin_name_version UNIQUE (name, version)
);

CREATE INDEX idx_plugin_registry_category ON plugin_registry (category);
CREATE INDEX idx_plugin_registry_name ON plugin_registry (name);
CREATE INDEX idx_plugin_registry_status ON plugin_registry (status);

CREATE TABLE plugin_configurations (
    id          uuid        PRIMARY KEY,
    plugin_id   uuid        NOT NULL REFERENCES plugin_registry (id) ON DELETE CASCADE,
    user_id     uuid        REFERENCES users (id) ON DELETE CASCADE,
    environment varchar(50),
    settings    jsonb       NOT NULL,
    created_at  timestamp   DEFAULT now(),
    updated_at  timestamp   DEFAULT now(),
    CONSTRAINT uq_plugin_config_user_env UNIQUE (plugin_id, user_id, environment)
);

CREATE INDEX idx_plugin_configurations_plugin_user ON plugin_configurations (plugin_id, user_id);

CREATE TABLE plugin_metrics (
    id              uuid         PRIMARY KEY,
    plugin_id       uuid         NOT NULL REFERENCES plugin_registry (id) ON DELETE CASCADE,
    metric_name     varchar(255) NOT NULL,
    metric_value    varchar(255),
    metric_metadata jsonb,
    recorded_at     timestamp    DEFAULT now()
);

CREATE INDEX idx_plugin_metrics_name ON plugin_metrics (metric_name);
CREATE INDEX idx_plugin_metrics_plugin_time ON plugin_metrics (plugin_id, recorded_at);

CREATE TABLE plugin_dependencies (
    id                 uuid         PRIMARY KEY,
    plugin_id          uuid         NOT NULL REFERENCES plugin_registry (id) ON DELETE CASCADE,
    dependency_name    varchar(255) NOT NULL,
    version_constraint varchar(100),
    optional           boolean      DEFAULT false,
    created_at         timestamp    DEFAULT now()
);

CREATE INDEX idx_plugin_dependencies_name ON plugin_dependencies (dependency_name);
CREATE INDEX idx_plugin_dependencies_plugin ON plugin_dependencies (plugin_id);

CREATE TABLE plugin_audit_logs (
    id          uuid         PRIMARY KEY,
    plugin_id   uuid         REFERENCES plugin_registry (id) ON DELETE CASCADE,
    user_id     uuid         REFERENCES users (id) ON DELETE SET NULL,
    action      varchar(100) NOT NULL,
    details     jsonb,
    ip_address  varchar(45),
    user_agent  text,
    "timestamp" timestamp    DEFAULT now()
);

CREATE INDEX idx_plugin_audit_action ON plugin_audit_logs (action);
CREATE INDEX idx_plugin_audit_plugin ON plugin_audit_logs (plugin_id);
CREATE INDEX idx_plugin_audit_timestamp ON plugin_audit_logs ("timestamp");
CREATE INDEX idx_plugin_audit_user ON plugin_audit_logs (user_id);

CREATE TABLE plugin_security_scans (
    id           uuid        PRIMARY KEY,
    plugin_id    uuid        NOT NULL REFERENCES plugin_registry (id) ON DELETE CASCADE,
    scan_type    varchar(50) NOT NULL,
    scan_result  varchar(20) NOT NULL,
    findings     jsonb,
    scan_version varchar(20),
    scanned_at   timestamp   DEFAULT now()
);

CREATE INDEX idx_plugin_security_plugin ON plugin_security_scans (plugin_id);
CREATE INDEX idx_plugin_security_result ON plugin_security_scans (scan_result);
CREATE INDEX idx_plugin_security_timestamp ON plugin_security_scans (scanned_at);
