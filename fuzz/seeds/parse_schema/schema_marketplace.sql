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
