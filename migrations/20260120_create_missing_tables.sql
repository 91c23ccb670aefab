-- pgstate revision: 20260120_create_missing_tables
-- parents: 20260115220929
-- message: create missing tables
-- created: 2026-01-20T00:00:00Z

-- +up
CREATE TABLE public.agent_executions (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    user_id uuid NOT NULL,
    conversation_id uuid,
    status character varying(50) NOT NULL,
    input_data jsonb,
    output_data jsonb,
    error_message text,
    execution_time_ms integer,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    started_at timestamp without time zone,
    completed_at timestamp without time zone,
    CONSTRAINT agent_executions_pkey PRIMARY KEY (id)
);
CREATE TABLE public.agent_knowledgebases (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    knowledge_base_id uuid NOT NULL,
    is_primary boolean DEFAULT false,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_knowledgebases_pkey PRIMARY KEY (id),
    CONSTRAINT uq_agent_kb UNIQUE (agent_id, knowledge_base_id)
);
CREATE TABLE public.agent_memories (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    memory_type character varying(50) NOT NULL,
    content text NOT NULL,
    metadata jsonb,
    importance_score double precision,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_memories_pkey PRIMARY KEY (id)
);
CREATE TABLE public.agent_tools (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    tool_id character varying(100) NOT NULL,
    configuration jsonb,
    is_enabled boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_tools_pkey PRIMARY KEY (id),
    CONSTRAINT uq_agent_tool UNIQUE (agent_id, tool_id)
);
CREATE TABLE public.agent_versions (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    version_number integer NOT NULL,
    configuration jsonb,
    context_items jsonb,
    mcp_servers jsonb,
    description text,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_versions_pkey PRIMARY KEY (id),
    CONSTRAINT uq_agent_version UNIQUE (agent_id, version_number)
);
CREATE TABLE public.agentflow_agents (
    id uuid NOT NULL,
    agentflow_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    position_x double precision,
    position_y double precision,
    configuration jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agentflow_agents_pkey PRIMARY KEY (id),
    CONSTRAINT uq_agentflow_agent UNIQUE (agentflow_id, agent_id)
);
CREATE TABLE public.agentflow_edges (
    id uuid NOT NULL,
    agentflow_id uuid NOT NULL,
    source_agent_id uuid NOT NULL,
    target_agent_id uuid NOT NULL,
    edge_type character varying(50),
    condition jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT agentflow_edges_pkey PRIMARY KEY (id)
);
CREATE TABLE public.api_keys (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    key_hash character varying(255) NOT NULL,
    last_used_at timestamp without time zone,
    is_active boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    expires_at timestamp without time zone,
    CONSTRAINT uq_api_key_hash UNIQUE (key_hash),
    CONSTRAINT api_keys_pkey PRIMARY KEY (id)
);
CREATE TABLE public.bookmarks (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    title character varying(255),
    notes text,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT bookmarks_pkey PRIMARY KEY (id),
    CONSTRAINT uq_bookmark_user_conv UNIQUE (user_id, conversation_id)
);
CREATE TABLE public.conversation_shares (
    id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    shared_by_user_id uuid NOT NULL,
    shared_with_user_id uuid NOT NULL,
    permission_level character varying(50) DEFAULT 'view'::character varying,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT conversation_shares_pkey PRIMARY KEY (id),
    CONSTRAINT uq_share_conv_user UNIQUE (conversation_id, shared_with_user_id)
);
CREATE TABLE public.conversations (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    title character varying(255),
    description text,
    metadata jsonb,
    is_archived boolean DEFAULT false,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    deleted_at timestamp without time zone,
    CONSTRAINT conversations_pkey PRIMARY KEY (id)
);
CREATE TABLE public.event_store (
    id uuid NOT NULL,
    event_type character varying(100) NOT NULL,
    aggregate_id uuid,
    aggregate_type character varying(100),
    data jsonb NOT NULL,
    metadata jsonb,
    user_id uuid,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT event_store_pkey PRIMARY KEY (id)
);
CREATE TABLE public.feedback (
    id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    user_id uuid NOT NULL,
    agent_id uuid,
    rating integer NOT NULL,
    comment text,
    feedback_type character varying(50),
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT feedback_pkey PRIMARY KEY (id)
);
CREATE TABLE public.knowledge_graphs (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    graph_data jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT knowledge_graphs_pkey PRIMARY KEY (id)
);
CREATE TABLE public.notifications (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    title character varying(255) NOT NULL,
    message text NOT NULL,
    notification_type character varying(50),
    is_read boolean DEFAULT false,
    data jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    read_at timestamp without time zone,
    CONSTRAINT notifications_pkey PRIMARY KEY (id)
);
CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    owner_id uuid NOT NULL,
    logo_url character varying(500),
    settings jsonb,
    is_active boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT organizations_pkey PRIMARY KEY (id)
);
CREATE TABLE public.query_logs (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    query text NOT NULL,
    query_type character varying(50),
    results_count integer,
    execution_time_ms integer,
    metadata jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT query_logs_pkey PRIMARY KEY (id)
);
CREATE TABLE public.teams (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    description text,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT teams_pkey PRIMARY KEY (id),
    CONSTRAINT uq_team_org_name UNIQUE (organization_id, name)
);
CREATE TABLE public.tool_executions (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    tool_id character varying(100) NOT NULL,
    tool_name character varying(255) NOT NULL,
    status character varying(50) NOT NULL,
    input_params jsonb,
    output_result jsonb,
    error_message text,
    execution_time_ms integer,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    completed_at timestamp without time zone,
    CONSTRAINT tool_executions_pkey PRIMARY KEY (id)
);
CREATE TABLE public.user_settings (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    theme character varying(50) DEFAULT 'light'::character varying,
    language character varying(10) DEFAULT 'en'::character varying,
    notifications_enabled boolean DEFAULT true,
    settings jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_settings_pkey PRIMARY KEY (id),
    CONSTRAINT uq_user_settings_user_id UNIQUE (user_id)
);
CREATE INDEX idx_agent_executions_agent_id ON public.agent_executions (agent_id);
CREATE INDEX idx_agent_executions_created_at ON public.agent_executions (created_at);
CREATE INDEX idx_agent_executions_status ON public.agent_executions (status);
CREATE INDEX idx_agent_executions_user_id ON public.agent_executions (user_id);
CREATE INDEX idx_agent_kb_agent_id ON public.agent_knowledgebases (agent_id);
CREATE INDEX idx_agent_kb_kb_id ON public.agent_knowledgebases (knowledge_base_id);
CREATE INDEX idx_agent_memories_agent_id ON public.agent_memories (agent_id);
CREATE INDEX idx_agent_memories_created_at ON public.agent_memories (created_at);
CREATE INDEX idx_agent_memories_type ON public.agent_memories (memory_type);
CREATE INDEX idx_agent_tools_agent_id ON public.agent_tools (agent_id);
CREATE INDEX idx_agent_tools_tool_id ON public.agent_tools (tool_id);
CREATE INDEX idx_agent_versions_agent_id ON public.agent_versions (agent_id);
CREATE INDEX idx_agent_versions_created_at ON public.agent_versions (created_at);
CREATE INDEX idx_agentflow_agents_agent_id ON public.agentflow_agents (agent_id);
CREATE INDEX idx_agentflow_agents_agentflow_id ON public.agentflow_agents (agentflow_id);
CREATE INDEX idx_agentflow_edges_agentflow_id ON public.agentflow_edges (agentflow_id);
CREATE INDEX idx_agentflow_edges_source_agent_id ON public.agentflow_edges (source_agent_id);
CREATE INDEX idx_agentflow_edges_target_agent_id ON public.agentflow_edges (target_agent_id);
CREATE INDEX idx_api_keys_is_active ON public.api_keys (is_active);
CREATE INDEX idx_api_keys_user_id ON public.api_keys (user_id);
CREATE INDEX idx_bookmarks_conversation_id ON public.bookmarks (conversation_id);
CREATE INDEX idx_bookmarks_user_id ON public.bookmarks (user_id);
CREATE INDEX idx_conversation_shares_conversation_id ON public.conversation_shares (conversation_id);
CREATE INDEX idx_conversation_shares_shared_with_user_id ON public.conversation_shares (shared_with_user_id);
CREATE INDEX idx_conversations_created_at ON public.conversations (created_at);
CREATE INDEX idx_conversations_user_created ON public.conversations (user_id, created_at);
CREATE INDEX idx_conversations_user_id ON public.conversations (user_id);
CREATE INDEX idx_event_store_aggregate_id ON public.event_store (aggregate_id);
CREATE INDEX idx_event_store_created_at ON public.event_store (created_at);
CREATE INDEX idx_event_store_event_type ON public.event_store (event_type);
CREATE INDEX idx_event_store_user_id ON public.event_store (user_id);
CREATE INDEX idx_feedback_agent_id ON public.feedback (agent_id);
CREATE INDEX idx_feedback_conversation_id ON public.feedback (conversation_id);
CREATE INDEX idx_feedback_rating ON public.feedback (rating);
CREATE INDEX idx_feedback_user_id ON public.feedback (user_id);
CREATE INDEX idx_knowledge_graphs_created_at ON public.knowledge_graphs (created_at);
CREATE INDEX idx_knowledge_graphs_user_id ON public.knowledge_graphs (user_id);
CREATE INDEX idx_notifications_created_at ON public.notifications (created_at);
CREATE INDEX idx_notifications_is_read ON public.notifications (is_read);
CREATE INDEX idx_notifications_user_id ON public.notifications (user_id);
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at);
CREATE INDEX idx_organizations_owner_id ON public.organizations (owner_id);
CREATE INDEX idx_query_logs_created_at ON public.query_logs (created_at);
CREATE INDEX idx_query_logs_query_type ON public.query_logs (query_type);
CREATE INDEX idx_query_logs_user_id ON public.query_logs (user_id);
CREATE INDEX idx_teams_organization_id ON public.teams (organization_id);
CREATE INDEX idx_tool_executions_agent_id ON public.tool_executions (agent_id);
CREATE INDEX idx_tool_executions_created_at ON public.tool_executions (created_at);
CREATE INDEX idx_tool_executions_status ON public.tool_executions (status);
CREATE INDEX idx_tool_executions_tool_id ON public.tool_executions (tool_id);
ALTER TABLE public.agent_executions ADD CONSTRAINT agent_executions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agent_executions ADD CONSTRAINT agent_executions_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE SET NULL;
ALTER TABLE public.agent_executions ADD CONSTRAINT agent_executions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.agent_knowledgebases ADD CONSTRAINT agent_knowledgebases_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agent_knowledgebases ADD CONSTRAINT agent_knowledgebases_knowledge_base_id_fkey FOREIGN KEY (knowledge_base_id) REFERENCES public.knowledge_bases (id) ON DELETE CASCADE;
ALTER TABLE public.agent_memories ADD CONSTRAINT agent_memories_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agent_tools ADD CONSTRAINT agent_tools_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agent_tools ADD CONSTRAINT agent_tools_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE;
ALTER TABLE public.agent_versions ADD CONSTRAINT agent_versions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agentflow_agents ADD CONSTRAINT agentflow_agents_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agentflow_agents ADD CONSTRAINT agentflow_agents_agentflow_id_fkey FOREIGN KEY (agentflow_id) REFERENCES public.agentflows (id) ON DELETE CASCADE;
ALTER TABLE public.agentflow_edges ADD CONSTRAINT agentflow_edges_agentflow_id_fkey FOREIGN KEY (agentflow_id) REFERENCES public.agentflows (id) ON DELETE CASCADE;
ALTER TABLE public.agentflow_edges ADD CONSTRAINT agentflow_edges_source_agent_id_fkey FOREIGN KEY (source_agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.agentflow_edges ADD CONSTRAINT agentflow_edges_target_agent_id_fkey FOREIGN KEY (target_agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.api_keys ADD CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.bookmarks ADD CONSTRAINT bookmarks_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE CASCADE;
ALTER TABLE public.bookmarks ADD CONSTRAINT bookmarks_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.conversation_shares ADD CONSTRAINT conversation_shares_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE CASCADE;
ALTER TABLE public.conversation_shares ADD CONSTRAINT conversation_shares_shared_by_user_id_fkey FOREIGN KEY (shared_by_user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.conversation_shares ADD CONSTRAINT conversation_shares_shared_with_user_id_fkey FOREIGN KEY (shared_with_user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.conversations ADD CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.feedback ADD CONSTRAINT feedback_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE SET NULL;
ALTER TABLE public.feedback ADD CONSTRAINT feedback_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE CASCADE;
ALTER TABLE public.feedback ADD CONSTRAINT feedback_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.knowledge_graphs ADD CONSTRAINT knowledge_graphs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.notifications ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.organizations ADD CONSTRAINT organizations_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.query_logs ADD CONSTRAINT query_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.teams ADD CONSTRAINT teams_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE;
ALTER TABLE public.tool_executions ADD CONSTRAINT tool_executions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.tool_executions ADD CONSTRAINT tool_executions_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE;
ALTER TABLE public.user_settings ADD CONSTRAINT user_settings_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;

-- +down
ALTER TABLE public.agent_executions DROP CONSTRAINT agent_executions_conversation_id_fkey;
ALTER TABLE public.bookmarks DROP CONSTRAINT bookmarks_conversation_id_fkey;
ALTER TABLE public.conversation_shares DROP CONSTRAINT conversation_shares_conversation_id_fkey;
ALTER TABLE public.feedback DROP CONSTRAINT feedback_conversation_id_fkey;
ALTER TABLE public.teams DROP CONSTRAINT teams_organization_id_fkey;
-- hazard: data loss: dropping table public.agent_executions deletes all its rows
DROP TABLE public.agent_executions;
-- hazard: data loss: dropping table public.agent_knowledgebases deletes all its rows
DROP TABLE public.agent_knowledgebases;
-- hazard: data loss: dropping table public.agent_memories deletes all its rows
DROP TABLE public.agent_memories;
-- hazard: data loss: dropping table public.agent_tools deletes all its rows
DROP TABLE public.agent_tools;
-- hazard: data loss: dropping table public.agent_versions deletes all its rows
DROP TABLE public.agent_versions;
-- hazard: data loss: dropping table public.agentflow_agents deletes all its rows
DROP TABLE public.agentflow_agents;
-- hazard: data loss: dropping table public.agentflow_edges deletes all its rows
DROP TABLE public.agentflow_edges;
-- hazard: data loss: dropping table public.api_keys deletes all its rows
DROP TABLE public.api_keys;
-- hazard: data loss: dropping table public.bookmarks deletes all its rows
DROP TABLE public.bookmarks;
-- hazard: data loss: dropping table public.conversation_shares deletes all its rows
DROP TABLE public.conversation_shares;
-- hazard: data loss: dropping table public.conversations deletes all its rows
DROP TABLE public.conversations;
-- hazard: data loss: dropping table public.event_store deletes all its rows
DROP TABLE public.event_store;
-- hazard: data loss: dropping table public.feedback deletes all its rows
DROP TABLE public.feedback;
-- hazard: data loss: dropping table public.knowledge_graphs deletes all its rows
DROP TABLE public.knowledge_graphs;
-- hazard: data loss: dropping table public.notifications deletes all its rows
DROP TABLE public.notifications;
-- hazard: data loss: dropping table public.organizations deletes all its rows
DROP TABLE public.organizations;
-- hazard: data loss: dropping table public.query_logs deletes all its rows
DROP TABLE public.query_logs;
-- hazard: data loss: dropping table public.teams deletes all its rows
DROP TABLE public.teams;
-- hazard: data loss: dropping table public.tool_executions deletes all its rows
DROP TABLE public.tool_executions;
-- hazard: data loss: dropping table public.user_settings deletes all its rows
DROP TABLE public.user_settings;
