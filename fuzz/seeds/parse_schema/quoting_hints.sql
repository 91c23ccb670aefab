CREATE SCHEMA "My Schema";
-- @renamed from=old_table
CREATE UNLOGGED TABLE "My Schema"."Mixed Case" (
    "Id" integer PRIMARY KEY,
    "select" text,
    "with ""quote""" text
);
