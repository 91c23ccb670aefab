-- pgstate revision: 9ce227b568e8
-- parents: 
-- message: initial schema (the 14 core tables, with the bookkeeping tables alembic_version and migration_history)
-- created: 2025-10-06T00:00:00Z

-- +up
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;
CREATE SEQUENCE public.migration_history_id_seq AS integer;
CREATE TABLE public.agent_templates (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    category character varying(100),
    configuration jsonb DEFAULT '{}'::jsonb NOT NULL,
    required_tools jsonb,
    use_case_examples jsonb,
    is_published boolean DEFAULT false,
    rating double precision,
    usage_count integer DEFAULT 0,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT agent_templates_pkey PRIMARY KEY (id),
    CONSTRAINT check_rating_range CHECK (rating >= 0.0 AND rating <= 5.0),
    CONSTRAINT check_usage_count_positive CHECK (usage_count >= 0)
);
CREATE TABLE public.agentflows (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    orchestration_type character varying(50) NOT NULL,
    supervisor_config jsonb,
    communication_protocol character varying(50),
    graph_definition jsonb DEFAULT '{}'::jsonb NOT NULL,
    version character varying(50),
    tags jsonb,
    category character varying(100),
    is_public boolean DEFAULT false,
    is_active boolean DEFAULT true,
    execution_count integer DEFAULT 0,
    last_execution_status character varying(50),
    last_execution_at timestamp without time zone,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    deleted_at timestamp without time zone,
    CONSTRAINT agentflows_pkey PRIMARY KEY (id),
    CONSTRAINT check_orchestration_type_valid CHECK (orchestration_type IN ('sequential', 'parallel', 'hierarchical', 'adaptive'))
);
CREATE TABLE public.agents (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid NOT NULL,
    template_id uuid,
    prompt_template_id uuid,
    name character varying(255) NOT NULL,
    description text,
    agent_type character varying(50) NOT NULL,
    llm_provider character varying(100) NOT NULL,
    llm_model character varying(100) NOT NULL,
    configuration jsonb,
    is_public boolean DEFAULT false,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    deleted_at timestamp without time zone,
    CONSTRAINT agents_pkey PRIMARY KEY (id),
    CONSTRAINT check_agent_type_valid CHECK (agent_type IN ('custom', 'template_based'))
);
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL,
    CONSTRAINT alembic_version_pkey PRIMARY KEY (version_num)
);
CREATE TABLE public.blocks (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    block_type character varying(50) NOT NULL,
    input_schema jsonb DEFAULT '{}'::jsonb NOT NULL,
    output_schema jsonb DEFAULT '{}'::jsonb NOT NULL,
    configuration jsonb,
    implementation text,
    is_public boolean DEFAULT false,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT blocks_pkey PRIMARY KEY (id),
    CONSTRAINT check_block_type_valid CHECK (block_type IN ('llm', 'tool', 'logic', 'composite')),
    CONSTRAINT uq_block_name_per_user UNIQUE (user_id, name)
);
CREATE TABLE public.chatflows (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    chat_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    memory_config jsonb,
    rag_config jsonb,
    graph_definition jsonb DEFAULT '{}'::jsonb NOT NULL,
    version character varying(50),
    tags jsonb,
    category character varying(100),
    is_public boolean DEFAULT false,
    is_active boolean DEFAULT true,
    execution_count integer DEFAULT 0,
    last_execution_status character varying(50),
    last_execution_at timestamp without time zone,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    deleted_at timestamp without time zone,
    CONSTRAINT chatflows_pkey PRIMARY KEY (id)
);
CREATE TABLE public.documents (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    knowledge_base_id uuid,
    user_id uuid,
    filename character varying(500) NOT NULL,
    file_path character varying(1000),
    file_size integer,
    mime_type character varying(100),
    status character varying(50) DEFAULT 'pending'::character varying,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT documents_pkey PRIMARY KEY (id)
);
CREATE TABLE public.flow_executions (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    agentflow_id uuid,
    chatflow_id uuid,
    user_id uuid NOT NULL,
    flow_type character varying(50) NOT NULL,
    flow_name character varying(255),
    input_data jsonb,
    output_data jsonb,
    status character varying(50) DEFAULT 'pending'::character varying NOT NULL,
    error_message text,
    started_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    completed_at timestamp without time zone,
    duration_ms integer,
    metrics jsonb,
    CONSTRAINT check_flow_execution_status_valid CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT check_flow_type_valid CHECK (flow_type IN ('agentflow', 'chatflow')),
    CONSTRAINT flow_executions_pkey PRIMARY KEY (id)
);
CREATE TABLE public.knowledge_bases (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid,
    name character varying(255) NOT NULL,
    description text,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT knowledge_bases_pkey PRIMARY KEY (id)
);
CREATE TABLE public.messages (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    session_id uuid,
    role character varying(50) NOT NULL,
    content text NOT NULL,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT messages_pkey PRIMARY KEY (id)
);
CREATE TABLE public.migration_history (
    id integer DEFAULT nextval('public.migration_history_id_seq'::regclass) NOT NULL,
    filename character varying(255) NOT NULL,
    applied_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    success boolean DEFAULT true,
    CONSTRAINT migration_history_filename_key UNIQUE (filename),
    CONSTRAINT migration_history_pkey PRIMARY KEY (id)
);
CREATE TABLE public.prompt_templates (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid,
    name character varying(255) NOT NULL,
    description text,
    template_text text NOT NULL,
    variables jsonb,
    is_system boolean DEFAULT false,
    category character varying(100),
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT prompt_templates_pkey PRIMARY KEY (id)
);
CREATE TABLE public.sessions (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid,
    title character varying(500),
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT sessions_pkey PRIMARY KEY (id)
);
CREATE TABLE public.tools (
    id character varying(100) NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    category character varying(100),
    input_schema jsonb,
    output_schema jsonb,
    implementation_type character varying(50),
    implementation_ref character varying(500),
    requires_auth boolean DEFAULT false,
    is_builtin boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT tools_pkey PRIMARY KEY (id)
);
CREATE TABLE public.users (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    email character varying(255) NOT NULL,
    username character varying(100) NOT NULL,
    password_hash character varying(255) NOT NULL,
    role character varying(50) DEFAULT 'user'::character varying,
    is_active boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    full_name character varying(255),
    last_login_at timestamp without time zone,
    query_count integer DEFAULT 0,
    storage_used_bytes bigint DEFAULT 0,
    preferences jsonb DEFAULT '{}'::jsonb,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username)
);
CREATE TABLE public.workflows (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid,
    name character varying(255) NOT NULL,
    description text,
    config jsonb DEFAULT '{}'::jsonb,
    is_active boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    graph_definition jsonb DEFAULT '{}'::jsonb,
    compiled_graph jsonb,
    is_public boolean DEFAULT false,
    deleted_at timestamp without time zone,
    CONSTRAINT workflows_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_agent_templates_category ON public.agent_templates (category);
CREATE INDEX idx_agent_templates_is_published ON public.agent_templates (is_published);
CREATE INDEX idx_agentflows_is_active ON public.agentflows (is_active);
CREATE INDEX idx_agentflows_is_public ON public.agentflows (is_public);
CREATE INDEX idx_agentflows_user_active ON public.agentflows (user_id, is_active);
CREATE INDEX idx_agentflows_user_created ON public.agentflows (user_id, created_at);
CREATE INDEX idx_agentflows_user_id ON public.agentflows (user_id);
CREATE INDEX idx_agents_agent_type ON public.agents (agent_type);
CREATE INDEX idx_agents_is_public ON public.agents (is_public);
CREATE INDEX idx_agents_user_id ON public.agents (user_id);
CREATE INDEX ix_agents_user_created ON public.agents (user_id, created_at);
CREATE INDEX ix_agents_user_type ON public.agents (user_id, agent_type);
CREATE INDEX idx_blocks_block_type ON public.blocks (block_type);
CREATE INDEX idx_blocks_is_public ON public.blocks (is_public);
CREATE INDEX idx_blocks_user_id ON public.blocks (user_id);
CREATE INDEX ix_blocks_user_public ON public.blocks (user_id, is_public);
CREATE INDEX ix_blocks_user_type ON public.blocks (user_id, block_type);
CREATE INDEX idx_chatflows_is_active ON public.chatflows (is_active);
CREATE INDEX idx_chatflows_is_public ON public.chatflows (is_public);
CREATE INDEX idx_chatflows_user_active ON public.chatflows (user_id, is_active);
CREATE INDEX idx_chatflows_user_created ON public.chatflows (user_id, created_at);
CREATE INDEX idx_chatflows_user_id ON public.chatflows (user_id);
CREATE INDEX idx_documents_kb ON public.documents (knowledge_base_id);
CREATE INDEX idx_flow_executions_agentflow ON public.flow_executions (agentflow_id);
CREATE INDEX idx_flow_executions_chatflow ON public.flow_executions (chatflow_id);
CREATE INDEX idx_flow_executions_started ON public.flow_executions (started_at);
CREATE INDEX idx_flow_executions_status ON public.flow_executions (status);
CREATE INDEX idx_flow_executions_user_id ON public.flow_executions (user_id);
CREATE INDEX idx_flow_executions_user_status ON public.flow_executions (user_id, status);
CREATE INDEX idx_prompt_templates_category ON public.prompt_templates (category);
CREATE INDEX idx_prompt_templates_is_system ON public.prompt_templates (is_system);
CREATE INDEX idx_workflows_user ON public.workflows (user_id);
ALTER TABLE public.agentflows ADD CONSTRAINT agentflows_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.agents ADD CONSTRAINT agents_prompt_template_id_fkey FOREIGN KEY (prompt_template_id) REFERENCES public.prompt_templates (id) ON DELETE SET NULL;
ALTER TABLE public.agents ADD CONSTRAINT agents_template_id_fkey FOREIGN KEY (template_id) REFERENCES public.agent_templates (id) ON DELETE SET NULL;
ALTER TABLE public.agents ADD CONSTRAINT agents_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.blocks ADD CONSTRAINT blocks_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.chatflows ADD CONSTRAINT chatflows_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.documents ADD CONSTRAINT documents_knowledge_base_id_fkey FOREIGN KEY (knowledge_base_id) REFERENCES public.knowledge_bases (id) ON DELETE CASCADE;
ALTER TABLE public.documents ADD CONSTRAINT documents_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.flow_executions ADD CONSTRAINT flow_executions_agentflow_id_fkey FOREIGN KEY (agentflow_id) REFERENCES public.agentflows (id) ON DELETE CASCADE;
ALTER TABLE public.flow_executions ADD CONSTRAINT flow_executions_chatflow_id_fkey FOREIGN KEY (chatflow_id) REFERENCES public.chatflows (id) ON DELETE CASCADE;
ALTER TABLE public.flow_executions ADD CONSTRAINT flow_executions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.knowledge_bases ADD CONSTRAINT knowledge_bases_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.messages ADD CONSTRAINT messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions (id) ON DELETE CASCADE;
ALTER TABLE public.prompt_templates ADD CONSTRAINT prompt_templates_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.workflows ADD CONSTRAINT workflows_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER SEQUENCE public.migration_history_id_seq OWNED BY public.migration_history.id;

-- +down
ALTER TABLE public.agentflows DROP CONSTRAINT agentflows_user_id_fkey;
ALTER TABLE public.agents DROP CONSTRAINT agents_prompt_template_id_fkey;
ALTER TABLE public.agents DROP CONSTRAINT agents_template_id_fkey;
ALTER TABLE public.agents DROP CONSTRAINT agents_user_id_fkey;
ALTER TABLE public.blocks DROP CONSTRAINT blocks_user_id_fkey;
ALTER TABLE public.chatflows DROP CONSTRAINT chatflows_user_id_fkey;
ALTER TABLE public.documents DROP CONSTRAINT documents_knowledge_base_id_fkey;
ALTER TABLE public.documents DROP CONSTRAINT documents_user_id_fkey;
ALTER TABLE public.flow_executions DROP CONSTRAINT flow_executions_agentflow_id_fkey;
ALTER TABLE public.flow_executions DROP CONSTRAINT flow_executions_chatflow_id_fkey;
ALTER TABLE public.flow_executions DROP CONSTRAINT flow_executions_user_id_fkey;
ALTER TABLE public.knowledge_bases DROP CONSTRAINT knowledge_bases_user_id_fkey;
ALTER TABLE public.messages DROP CONSTRAINT messages_session_id_fkey;
ALTER TABLE public.prompt_templates DROP CONSTRAINT prompt_templates_user_id_fkey;
ALTER TABLE public.sessions DROP CONSTRAINT sessions_user_id_fkey;
ALTER TABLE public.workflows DROP CONSTRAINT workflows_user_id_fkey;
-- hazard: data loss: dropping table public.agent_templates deletes all its rows
DROP TABLE public.agent_templates;
-- hazard: data loss: dropping table public.agentflows deletes all its rows
DROP TABLE public.agentflows;
-- hazard: data loss: dropping table public.agents deletes all its rows
DROP TABLE public.agents;
-- hazard: data loss: dropping table public.alembic_version deletes all its rows
DROP TABLE public.alembic_version;
-- hazard: data loss: dropping table public.blocks deletes all its rows
DROP TABLE public.blocks;
-- hazard: data loss: dropping table public.chatflows deletes all its rows
DROP TABLE public.chatflows;
-- hazard: data loss: dropping table public.documents deletes all its rows
DROP TABLE public.documents;
-- hazard: data loss: dropping table public.flow_executions deletes all its rows
DROP TABLE public.flow_executions;
-- hazard: data loss: dropping table public.knowledge_bases deletes all its rows
DROP TABLE public.knowledge_bases;
-- hazard: data loss: dropping table public.messages deletes all its rows
DROP TABLE public.messages;
-- hazard: data loss: dropping table public.migration_history deletes all its rows
DROP TABLE public.migration_history;
-- hazard: data loss: dropping table public.prompt_templates deletes all its rows
DROP TABLE public.prompt_templates;
-- hazard: data loss: dropping table public.sessions deletes all its rows
DROP TABLE public.sessions;
-- hazard: data loss: dropping table public.tools deletes all its rows
DROP TABLE public.tools;
-- hazard: data loss: dropping table public.users deletes all its rows
DROP TABLE public.users;
-- hazard: data loss: dropping table public.workflows deletes all its rows
DROP TABLE public.workflows;
DROP EXTENSION "uuid-ossp";
