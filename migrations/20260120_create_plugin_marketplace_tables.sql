-- pgstate revision: 20260120_plugin_marketplace
-- parents: 20260120_create_missing_tables
-- message: create plugin marketplace tables
-- created: 2026-01-20T00:00:01Z

-- +up
CREATE TABLE public.credits (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    amount numeric(10,2) NOT NULL,
    transaction_type character varying(50) NOT NULL,
    description text,
    reference_id uuid,
    reference_type character varying(50),
    balance_after numeric(10,2),
    metadata jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT credits_pkey PRIMARY KEY (id)
);
CREATE TABLE public.marketplace_purchases (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    price numeric(10,2) NOT NULL,
    currency character varying(3) DEFAULT 'USD'::character varying,
    payment_status character varying(50) DEFAULT 'pending'::character varying,
    payment_method character varying(50),
    transaction_id character varying(255),
    metadata jsonb,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    completed_at timestamp without time zone,
    CONSTRAINT marketplace_purchases_pkey PRIMARY KEY (id)
);
CREATE TABLE public.marketplace_revenue (
    id uuid NOT NULL,
    agent_id uuid NOT NULL,
    seller_id uuid NOT NULL,
    purchase_id uuid NOT NULL,
    amount numeric(10,2) NOT NULL,
    platform_fee numeric(10,2),
    seller_amount numeric(10,2),
    currency character varying(3) DEFAULT 'USD'::character varying,
    status character varying(50) DEFAULT 'pending'::character varying,
    payout_date timestamp without time zone,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT marketplace_revenue_pkey PRIMARY KEY (id)
);
CREATE TABLE public.marketplace_reviews (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    rating integer NOT NULL,
    title character varying(255),
    comment text,
    is_verified_purchase boolean DEFAULT false,
    helpful_count integer DEFAULT 0,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT marketplace_reviews_pkey PRIMARY KEY (id),
    CONSTRAINT uq_review_user_agent UNIQUE (user_id, agent_id)
);
CREATE TABLE public.plugin_audit_logs (
    id uuid NOT NULL,
    plugin_id uuid,
    user_id uuid,
    action character varying(100) NOT NULL,
    details jsonb,
    ip_address character varying(45),
    user_agent text,
    "timestamp" timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_audit_logs_pkey PRIMARY KEY (id)
);
CREATE TABLE public.plugin_configurations (
    id uuid NOT NULL,
    plugin_id uuid NOT NULL,
    user_id uuid,
    environment character varying(50),
    settings jsonb NOT NULL,
    created_at timestamp without time zone DEFAULT now(),
    updated_at timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_configurations_pkey PRIMARY KEY (id),
    CONSTRAINT uq_plugin_config_user_env UNIQUE (plugin_id, user_id, environment)
);
CREATE TABLE public.plugin_dependencies (
    id uuid NOT NULL,
    plugin_id uuid NOT NULL,
    dependency_name character varying(255) NOT NULL,
    version_constraint character varying(100),
    optional boolean DEFAULT false,
    created_at timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_dependencies_pkey PRIMARY KEY (id)
);
CREATE TABLE public.plugin_metrics (
    id uuid NOT NULL,
    plugin_id uuid NOT NULL,
    metric_name character varying(255) NOT NULL,
    metric_value character varying(255),
    metric_metadata jsonb,
    recorded_at timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_metrics_pkey PRIMARY KEY (id)
);
CREATE TABLE public.plugin_registry (
    id uuid NOT NULL,
    name character varying(255) NOT NULL,
    version character varying(50) NOT NULL,
    description text,
    author character varying(255),
    category character varying(50),
    status character varying(50),
    manifest jsonb NOT NULL,
    file_path text NOT NULL,
    file_hash character varying(64),
    signature text,
    installed_at timestamp without time zone,
    last_updated timestamp without time zone,
    created_at timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_registry_pkey PRIMARY KEY (id),
    CONSTRAINT uq_plugin_name_version UNIQUE (name, version)
);
CREATE TABLE public.plugin_security_scans (
    id uuid NOT NULL,
    plugin_id uuid NOT NULL,
    scan_type character varying(50) NOT NULL,
    scan_result character varying(20) NOT NULL,
    findings jsonb,
    scan_version character varying(20),
    scanned_at timestamp without time zone DEFAULT now(),
    CONSTRAINT plugin_security_scans_pkey PRIMARY KEY (id)
);
CREATE TABLE public.rate_limit_configs (
    id uuid NOT NULL,
    user_id uuid,
    organization_id uuid,
    limit_type character varying(50) NOT NULL,
    limit_value integer NOT NULL,
    time_window integer NOT NULL,
    time_unit character varying(20) DEFAULT 'second'::character varying,
    is_active boolean DEFAULT true,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL,
    CONSTRAINT rate_limit_configs_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_credits_created_at ON public.credits (created_at);
CREATE INDEX idx_credits_reference ON public.credits (reference_id, reference_type);
CREATE INDEX idx_credits_transaction_type ON public.credits (transaction_type);
CREATE INDEX idx_credits_user_id ON public.credits (user_id);
CREATE INDEX idx_marketplace_purchases_agent_id ON public.marketplace_purchases (agent_id);
CREATE INDEX idx_marketplace_purchases_created_at ON public.marketplace_purchases (created_at);
CREATE INDEX idx_marketplace_purchases_status ON public.marketplace_purchases (payment_status);
CREATE INDEX idx_marketplace_purchases_user_id ON public.marketplace_purchases (user_id);
CREATE INDEX idx_marketplace_revenue_agent_id ON public.marketplace_revenue (agent_id);
CREATE INDEX idx_marketplace_revenue_created_at ON public.marketplace_revenue (created_at);
CREATE INDEX idx_marketplace_revenue_seller_id ON public.marketplace_revenue (seller_id);
CREATE INDEX idx_marketplace_revenue_status ON public.marketplace_revenue (status);
CREATE INDEX idx_marketplace_reviews_agent_id ON public.marketplace_reviews (agent_id);
CREATE INDEX idx_marketplace_reviews_created_at ON public.marketplace_reviews (created_at);
CREATE INDEX idx_marketplace_reviews_rating ON public.marketplace_reviews (rating);
CREATE INDEX idx_marketplace_reviews_user_id ON public.marketplace_reviews (user_id);
CREATE INDEX idx_plugin_audit_action ON public.plugin_audit_logs (action);
CREATE INDEX idx_plugin_audit_plugin ON public.plugin_audit_logs (plugin_id);
CREATE INDEX idx_plugin_audit_timestamp ON public.plugin_audit_logs ("timestamp");
CREATE INDEX idx_plugin_audit_user ON public.plugin_audit_logs (user_id);
CREATE INDEX idx_plugin_configurations_plugin_user ON public.plugin_configurations (plugin_id, user_id);
CREATE INDEX idx_plugin_dependencies_name ON public.plugin_dependencies (dependency_name);
CREATE INDEX idx_plugin_dependencies_plugin ON public.plugin_dependencies (plugin_id);
CREATE INDEX idx_plugin_metrics_name ON public.plugin_metrics (metric_name);
CREATE INDEX idx_plugin_metrics_plugin_time ON public.plugin_metrics (plugin_id, recorded_at);
CREATE INDEX idx_plugin_registry_category ON public.plugin_registry (category);
CREATE INDEX idx_plugin_registry_name ON public.plugin_registry (name);
CREATE INDEX idx_plugin_registry_status ON public.plugin_registry (status);
CREATE INDEX idx_plugin_security_plugin ON public.plugin_security_scans (plugin_id);
CREATE INDEX idx_plugin_security_result ON public.plugin_security_scans (scan_result);
CREATE INDEX idx_plugin_security_timestamp ON public.plugin_security_scans (scanned_at);
CREATE INDEX idx_rate_limit_configs_is_active ON public.rate_limit_configs (is_active);
CREATE INDEX idx_rate_limit_configs_limit_type ON public.rate_limit_configs (limit_type);
CREATE INDEX idx_rate_limit_configs_org_id ON public.rate_limit_configs (organization_id);
CREATE INDEX idx_rate_limit_configs_user_id ON public.rate_limit_configs (user_id);
ALTER TABLE public.credits ADD CONSTRAINT credits_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_purchases ADD CONSTRAINT marketplace_purchases_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_purchases ADD CONSTRAINT marketplace_purchases_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_revenue ADD CONSTRAINT marketplace_revenue_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_revenue ADD CONSTRAINT marketplace_revenue_purchase_id_fkey FOREIGN KEY (purchase_id) REFERENCES public.marketplace_purchases (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_revenue ADD CONSTRAINT marketplace_revenue_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_reviews ADD CONSTRAINT marketplace_reviews_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE;
ALTER TABLE public.marketplace_reviews ADD CONSTRAINT marketplace_reviews_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_audit_logs ADD CONSTRAINT plugin_audit_logs_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES public.plugin_registry (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_audit_logs ADD CONSTRAINT plugin_audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE SET NULL;
ALTER TABLE public.plugin_configurations ADD CONSTRAINT plugin_configurations_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES public.plugin_registry (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_configurations ADD CONSTRAINT plugin_configurations_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_dependencies ADD CONSTRAINT plugin_dependencies_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES public.plugin_registry (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_metrics ADD CONSTRAINT plugin_metrics_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES public.plugin_registry (id) ON DELETE CASCADE;
ALTER TABLE public.plugin_security_scans ADD CONSTRAINT plugin_security_scans_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES public.plugin_registry (id) ON DELETE CASCADE;
ALTER TABLE public.rate_limit_configs ADD CONSTRAINT rate_limit_configs_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE;
ALTER TABLE public.rate_limit_configs ADD CONSTRAINT rate_limit_configs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;

-- +down
ALTER TABLE public.marketplace_revenue DROP CONSTRAINT marketplace_revenue_purchase_id_fkey;
ALTER TABLE public.plugin_audit_logs DROP CONSTRAINT plugin_audit_logs_plugin_id_fkey;
ALTER TABLE public.plugin_configurations DROP CONSTRAINT plugin_configurations_plugin_id_fkey;
ALTER TABLE public.plugin_dependencies DROP CONSTRAINT plugin_dependencies_plugin_id_fkey;
ALTER TABLE public.plugin_metrics DROP CONSTRAINT plugin_metrics_plugin_id_fkey;
ALTER TABLE public.plugin_security_scans DROP CONSTRAINT plugin_security_scans_plugin_id_fkey;
-- hazard: data loss: dropping table public.credits deletes all its rows
DROP TABLE public.credits;
-- hazard: data loss: dropping table public.marketplace_purchases deletes all its rows
DROP TABLE public.marketplace_purchases;
-- hazard: data loss: dropping table public.marketplace_revenue deletes all its rows
DROP TABLE public.marketplace_revenue;
-- hazard: data loss: dropping table public.marketplace_reviews deletes all its rows
DROP TABLE public.marketplace_reviews;
-- hazard: data loss: dropping table public.plugin_audit_logs deletes all its rows
DROP TABLE public.plugin_audit_logs;
-- hazard: data loss: dropping table public.plugin_configurations deletes all its rows
DROP TABLE public.plugin_configurations;
-- hazard: data loss: dropping table public.plugin_dependencies deletes all its rows
DROP TABLE public.plugin_dependencies;
-- hazard: data loss: dropping table public.plugin_metrics deletes all its rows
DROP TABLE public.plugin_metrics;
-- hazard: data loss: dropping table public.plugin_registry deletes all its rows
DROP TABLE public.plugin_registry;
-- hazard: data loss: dropping table public.plugin_security_scans deletes all its rows
DROP TABLE public.plugin_security_scans;
-- hazard: data loss: dropping table public.rate_limit_configs deletes all its rows
DROP TABLE public.rate_limit_configs;
