CREATE TABLE ok (id int);
CREATE VIEW v AS SELECT 1;
CREATE TABLE ok (id int);
CREATE TABLE broken (id int,;
DROP TABLE ok;
CREATE INDEX i ON missing (x);
