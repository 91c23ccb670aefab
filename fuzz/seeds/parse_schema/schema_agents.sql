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
