CREATE TYPE status AS ENUM ('a', 'b');

ALTER TABLE t1 ADD COLUMN status status;

CREATE TYPE s1.kind AS ENUM ('x', 'y''s');

CREATE TYPE pgk AS ENUM ('p', 'q');

DROP TYPE status;

DROP TYPE pgk;

