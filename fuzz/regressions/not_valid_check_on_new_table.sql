CREATE TABLE parent (
    a integer,
    b integer,
    CONSTRAINT parent_pk PRIMARY KEY (a, b),
    CONSTRAINT parent_b_key UNIQUE (b)
);
CREATE TABLE child (
    id serial PRIMARY KEY,
    a integer,
    b integer,
    CONSTRAINT child_parent_fk FOREIGN KEY (a, b) REFERENCES parent (a, b)
        ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT child_a_check CHECK (a > 0 AND b IS NOT NULL)
);
ALTER TABLE child ADD CONSTRAINT child_b_check CHECK (b <> 0) NOT VALID;
