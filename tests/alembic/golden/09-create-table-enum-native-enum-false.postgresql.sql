CREATE TABLE t_enum2 (
    id SERIAL NOT NULL, 
    kind VARCHAR(1), 
    flag BOOLEAN, 
    PRIMARY KEY (id), 
    CONSTRAINT t_enum2_kind CHECK (kind IN ('a', 'b'))
);

