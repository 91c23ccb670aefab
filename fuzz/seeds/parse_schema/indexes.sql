CREATE TABLE t (id integer PRIMARY KEY, name text, email text, body tsvector, deleted boolean);
CREATE INDEX t_name_idx ON t (name);
CREATE UNIQUE INDEX t_email_lower ON public.t USING btree (lower(email));
CREATE INDEX IF NOT EXISTS t_body_gin ON t USING gin (body);
CREATE INDEX t_partial ON t (name DESC NULLS LAST, id) WHERE NOT deleted;
CREATE INDEX t_include ON t (name) INCLUDE (email);
CREATE INDEX CONCURRENTLY t_conc ON t (email text_pattern_ops);
