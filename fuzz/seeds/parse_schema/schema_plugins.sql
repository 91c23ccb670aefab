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
