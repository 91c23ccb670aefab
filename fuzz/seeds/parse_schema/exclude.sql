CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE booking (room integer, during tsrange, EXCLUDE USING gist (room WITH =, during WITH &&));
CREATE TABLE booking2 (room integer, during tsrange);
ALTER TABLE public.booking2 ADD CONSTRAINT booking2_excl EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (room > 0);
