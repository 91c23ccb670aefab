CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE public."Weird Enum" AS ENUM ('a''b', '', 'ü');
CREATE TABLE person (name text, current_mood mood DEFAULT 'ok'::mood, w "Weird Enum"[]);
