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
