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
