CREATE TABLE docs (id integer PRIMARY KEY, title text);
CREATE INDEX docs_title_idx ON docs (title);
CREATE TYPE state AS ENUM ('x');
COMMENT ON TABLE docs IS 'Documents, with ''quotes''.';
COMMENT ON COLUMN docs.title IS 'The title';
COMMENT ON INDEX docs_title_idx IS 'by title';
COMMENT ON TYPE state IS NULL;
