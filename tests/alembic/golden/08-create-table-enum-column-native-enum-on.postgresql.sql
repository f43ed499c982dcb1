CREATE TYPE t_enum_kind AS ENUM ('a', 'b');

CREATE TABLE t_enum (
    id SERIAL NOT NULL, 
    kind t_enum_kind NOT NULL, 
    PRIMARY KEY (id)
);

